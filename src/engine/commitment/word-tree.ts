/**
 * The ordered Merkle tree of commitment format v3 over 32-byte leaves (a trace's tensor roots, or
 * a tensor's chunk leaves): leaves padded with bytes32(0) to a power of two, parent =
 * keccak256(left ++ right), the same tree as LibTensorRoot. The dispute game descends such trees
 * page by page (a page: the 2^k descendants of one node); `PartialTree` is the challenger's view of
 * the defender's tree: the nodes the defender revealed, and the honest tree everywhere else.
 */
import { type Hex, bytesToHex, hexToBytes } from 'viem';
import { EngineError } from '../engine.errors';
import { WORD_BYTES, keccakBytes } from './int256-word';

const ZERO: Hex = `0x${'0'.repeat(64)}`;

function hashPair(left: Hex, right: Hex): Hex {
  const bytes = new Uint8Array(2 * WORD_BYTES);
  bytes.set(hexToBytes(left), 0);
  bytes.set(hexToBytes(right), WORD_BYTES);
  return bytesToHex(keccakBytes(bytes));
}

/** The node over an all-padding subtree of height `height` (LibTensorRoot.paddingNode). */
export function paddingNode(height: number): Hex {
  let node = ZERO;
  for (let h = 0; h < height; h++) node = hashPair(node, node);
  return node;
}

/** The least d with 2^d >= leafCount (LibTensorRoot.depthOf). */
export function depthOf(leafCount: number): number {
  let depth = 0;
  while (2 ** depth < leafCount) depth++;
  return depth;
}

/** The nodes of height `height` under node (height + k, parentIndex): 2^k of them, from a node reader. */
function pageFrom(read: (height: number, index: number) => Hex, height: number, parentIndex: number, k: number): Hex[] {
  return Array.from({ length: 2 ** k }, (_, j) => read(height, parentIndex * 2 ** k + j));
}

/** A whole tree, every level kept. */
export class WordTree {
  readonly leafCount: number;
  readonly depth: number;
  readonly root: Hex;
  private readonly levels: Hex[][];

  constructor(leaves: readonly Hex[]) {
    if (leaves.length === 0) throw new EngineError('INVALID_ARGUMENT', 'a tree has at least one leaf');
    this.leafCount = leaves.length;
    this.depth = depthOf(leaves.length);
    const bottom = [...leaves.map((l) => l.toLowerCase() as Hex)];
    while (bottom.length < 2 ** this.depth) bottom.push(ZERO);
    this.levels = [bottom];
    while (this.levels[this.levels.length - 1].length > 1) {
      const below = this.levels[this.levels.length - 1];
      const above: Hex[] = [];
      for (let i = 0; i < below.length; i += 2) above.push(hashPair(below[i], below[i + 1]));
      this.levels.push(above);
    }
    this.root = this.levels[this.depth][0];
  }

  node(height: number, index: number): Hex {
    const level = this.levels[height];
    if (!level || index < 0 || index >= level.length)
      throw new EngineError('INVALID_ARGUMENT', `no node (${height}, ${index}) in a tree of depth ${this.depth}`);
    return level[index];
  }

  page(height: number, parentIndex: number, k: number): Hex[] {
    return pageFrom((h, i) => this.node(h, i), height, parentIndex, k);
  }

  /** Siblings of leaf `index` from the leaf level up. */
  proof(index: number): Hex[] {
    return siblingsOf((h, i) => this.node(h, i), index, this.depth);
  }
}

function siblingsOf(read: (height: number, index: number) => Hex, leaf: number, depth: number): Hex[] {
  const siblings: Hex[] = [];
  let index = leaf;
  for (let h = 0; h < depth; h++) {
    siblings.push(read(h, index ^ 1));
    index = Math.floor(index / 2);
  }
  return siblings;
}

/** The k siblings of node `position` within a page of 2^k nodes (what a pick proves against the page's parent). */
export function pageProof(nodes: readonly Hex[], position: number): Hex[] {
  const k = depthOf(nodes.length);
  const levels: Hex[][] = [[...nodes]];
  for (let h = 0; h < k; h++) {
    const below = levels[h];
    levels.push(Array.from({ length: below.length / 2 }, (_, i) => hashPair(below[2 * i], below[2 * i + 1])));
  }
  return siblingsOf((h, i) => levels[h][i], position, k);
}

/**
 * The challenger's view of the defender's tree: revealed pages (and the nodes they hash to) where
 * known, the honest tree elsewhere. After a descent that always took the first node differing from
 * the honest tree, every defender node left of the reached leaf is the honest one, so proofs of
 * leaves left of it verify against the defender's root.
 */
export class PartialTree {
  private readonly revealed = new Map<string, Hex>();

  constructor(private readonly honest: WordTree) {}

  /** Records a page: the 2^k nodes of height `height` under node (height + k, parentIndex). */
  addPage(height: number, parentIndex: number, nodes: readonly Hex[]): void {
    const k = depthOf(nodes.length);
    let level = nodes.map((n) => n.toLowerCase() as Hex);
    let first = parentIndex * 2 ** k;
    for (let h = height; ; h++) {
      level.forEach((node, j) => this.revealed.set(`${h}:${first + j}`, node));
      if (level.length === 1) break;
      level = Array.from({ length: level.length / 2 }, (_, i) => hashPair(level[2 * i], level[2 * i + 1]));
      first /= 2;
    }
  }

  node(height: number, index: number): Hex {
    return this.revealed.get(`${height}:${index}`) ?? this.honest.node(height, index);
  }

  proof(leaf: number): Hex[] {
    return siblingsOf((h, i) => this.node(h, i), leaf, this.honest.depth);
  }
}

/**
 * The honest challenger's pick in a page (docs/disputes.md): the first node that differs from the
 * honest tree; when none does (the defender's subtree is the honest one, so the lie is in the
 * output commitment), the node over the last real leaf.
 */
export function pickInPage(honest: WordTree, height: number, parentIndex: number, nodes: readonly Hex[]): number {
  const first = parentIndex * nodes.length;
  const differing = nodes.findIndex((n, j) => n.toLowerCase() !== honest.node(height, first + j));
  if (differing >= 0) return differing;
  const lastLeafNode = Math.floor((honest.leafCount - 1) / 2 ** height);
  return Math.min(Math.max(lastLeafNode - first, 0), nodes.length - 1);
}
