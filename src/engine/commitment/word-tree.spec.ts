import { type Hex, keccak256 } from 'viem';
import { merkleLevels, merkleRootOfLevels } from './merkle-tree';
import { PartialTree, WordTree, depthOf, pageProof, paddingNode, pickInPage } from './word-tree';

const word = (n: number): Hex => keccak256(`0x${n.toString(16).padStart(64, '0')}`);

/** Whether `proof` links `leaf` at `index` to `root` (LibTensorRoot.verifyLeaf). */
function verify(root: Hex, index: number, leaf: Hex, proof: Hex[]): boolean {
  let node = leaf;
  let i = index;
  for (const sibling of proof) {
    const pair = i % 2 === 0 ? [node, sibling] : [sibling, node];
    node = new WordTree(pair).root;
    i = Math.floor(i / 2);
  }
  return node === root;
}

describe('word trees (format v3 trace and chunk trees)', () => {
  const leaves = Array.from({ length: 301 }, (_, i) => word(i));
  const honest = new WordTree(leaves);

  it('has the same root as merkle-tree.ts and canonical padding nodes', () => {
    expect(honest.root).toBe(merkleRootOfLevels(merkleLevels(leaves)));
    expect(honest.depth).toBe(9);
    expect(depthOf(1)).toBe(0);
    expect(depthOf(257)).toBe(9);
    expect(honest.node(1, 200)).toBe(paddingNode(1));
    expect(honest.node(3, 60)).toBe(paddingNode(3));
    expect(verify(honest.root, 123, leaves[123], honest.proof(123))).toBe(true);
  });

  it('proves a page node against the page parent', () => {
    const page = honest.page(1, 0, 8);
    expect(page).toHaveLength(256);
    expect(verify(honest.root, 37, page[37], pageProof(page, 37))).toBe(true);
  });

  it('picks the first differing node, never a padding-only one, and the last leaf when all agree', () => {
    const lie = [...leaves];
    lie[200] = word(10_000);
    lie[250] = word(10_001);
    const defender = new WordTree(lie);
    const first = defender.page(1, 0, 8);
    expect(pickInPage(honest, 1, 0, first)).toBe(100);
    expect(pickInPage(honest, 1, 0, honest.page(1, 0, 8))).toBe(150);
    expect(pickInPage(honest, 0, 150, honest.page(0, 150, 1))).toBe(0);
  });

  it('builds, from the honest tree and the revealed pages, proofs of every leaf left of the first lie against the defender root', () => {
    const lie = [...leaves];
    lie[200] = word(10_000);
    lie[300] = word(10_001);
    const defender = new WordTree(lie);
    const view = new PartialTree(honest);
    // the descent: page under the root (height 1), pick 100, page under (1, 100) (the leaves 200, 201)
    view.addPage(1, 0, defender.page(1, 0, 8));
    view.addPage(0, 100, defender.page(0, 100, 1));
    for (const j of [0, 57, 198, 199]) {
      expect(verify(defender.root, j, leaves[j], view.proof(j))).toBe(true);
      // the honest tree alone does not prove them against the defender's root
      expect(verify(defender.root, j, leaves[j], honest.proof(j))).toBe(false);
    }
    expect(view.node(0, 200)).toBe(lie[200]);
  });
});
