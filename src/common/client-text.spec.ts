import { clientText } from './client-text';

describe('clientText', () => {
  it('keeps the file name of an absolute path and nothing of its directories', () => {
    expect(clientText('witness-started: /home/op/.cache/verity/zk/circuits/mnist-3f2a/mnist_js/mnist.wasm')).toBe(
      'witness-started: mnist.wasm',
    );
    expect(clientText("retrying after: ENOENT: no such file or directory, open '/srv/verity/keys/m.zkey'")).toBe(
      "retrying after: ENOENT: no such file or directory, open 'm.zkey'",
    );
    expect(clientText('at prove (/srv/verity/dist/src/zk/prover.js:10:5)')).toBe('at prove (prover.js:10:5)');
  });

  it('hides URLs, which may carry an RPC key or credentials', () => {
    expect(clientText('HTTP request failed. URL: https://user:pw@eth.example/v3/0123abcd Details: timeout')).toBe(
      'HTTP request failed. URL: [url] Details: timeout',
    );
    expect(clientText('cannot read file:///etc/verity/ptau')).toBe('cannot read [url]');
  });

  it('leaves text without paths or URLs as it is', () => {
    for (const text of ['settling: proof in 812 ms, sending Settlement.settleZk', 'proving-done: 640 ms', 'a/b ratio 1/2', 'queued']) {
      expect(clientText(text)).toBe(text);
    }
  });
});
