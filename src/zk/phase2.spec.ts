import { parseContributions } from './phase2';

const hashLines = (word: string) => `\t\t${word} ${word} ${word} ${word}\n`.repeat(4).trimEnd();

describe('parseContributions', () => {
  it('reads names and hashes from snarkjs zkey verify output, in contribution order', () => {
    const lines = [
      'Circuit Hash: \n' + hashLines('00000000'),
      '-------------------------',
      `contribution #2 final beacon:\n${hashLines('bbbbbbbb')}`,
      'Beacon generator: 0102',
      `contribution #1 alice: the owner:\n${hashLines('aaaaaaaa')}`,
      'ZKey Ok!',
    ];
    expect(parseContributions(lines)).toEqual([
      { name: 'alice: the owner', hash: 'aaaaaaaa'.repeat(16) },
      { name: 'final beacon', hash: 'bbbbbbbb'.repeat(16) },
    ]);
  });

  it('finds nothing in output without contributions', () => {
    expect(parseContributions(['ZKey Ok!'])).toEqual([]);
  });
});
