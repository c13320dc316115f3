/** Mutable state of one import: the value table (constants and activations) and the steps so far. */
import type { onnx } from 'onnx-proto';
import { EngineError } from '../engine.errors';
import type { ConstTensor } from './const-tensor';
import { ImportBudget } from './import-limits';
import { NodeAttributes } from './onnx-decode';
import type { FloatStep, TensorRef } from './imported-model.types';

export interface ActValue {
  kind: 'act';
  ref: TensorRef;
  shape: number[];
}

export interface ConstValue {
  kind: 'const';
  tensor: ConstTensor;
}

export type GraphValue = ActValue | ConstValue;

/** A step without the fields the NodeView fills in (distributes over the union). */
export type StepDraft = FloatStep extends infer S ? (S extends FloatStep ? Omit<S, 'name' | 'onnxOp'> : never) : never;

/** What a converter sees for the node it converts. */
export class NodeView {
  readonly attrs: NodeAttributes;
  readonly where: string;

  constructor(
    readonly node: onnx.INodeProto,
    readonly name: string,
    readonly ctx: ImportContext,
  ) {
    this.where = `node "${name}"`;
    this.attrs = new NodeAttributes(node, this.where);
  }

  get op(): string {
    return this.node.opType ?? '';
  }

  /** Input i, or undefined when absent or named ''. */
  input(i: number): GraphValue | undefined {
    const name = this.node.input?.[i];
    return name ? this.ctx.value(name, this.where) : undefined;
  }

  act(i: number): ActValue {
    const value = this.input(i);
    if (value?.kind !== 'act') {
      throw new EngineError('UNSUPPORTED_OP', `${this.op} at ${this.where} expects an activation tensor as input ${i}`);
    }
    return value;
  }

  constant(i: number, what: string): ConstTensor {
    const value = this.input(i);
    if (value?.kind !== 'const') {
      throw new EngineError('UNSUPPORTED_OP', `${this.op} at ${this.where} needs a constant ${what} (input ${i})`, { node: this.name });
    }
    return value.tensor;
  }

  optionalConstant(i: number, what: string): ConstTensor | undefined {
    return this.input(i) ? this.constant(i, what) : undefined;
  }

  refuse(reason: string): never {
    throw new EngineError('UNSUPPORTED_OP', `${this.op} at ${this.where}: ${reason}`, { op: this.op, node: this.name });
  }

  /** Bind output 0 (the only output the engine supports) to a value. */
  output(value: GraphValue): void {
    const extra = (this.node.output ?? []).slice(1).filter((n) => n && this.ctx.consumerCount(n) > 0);
    if (extra.length > 0) this.refuse(`secondary outputs (${extra.join(', ')}) are not supported`);
    this.ctx.bind(this.node.output?.[0] ?? '', value);
  }

  /** Append a step reading `inputs` and bind its result as output 0. */
  emit(step: StepDraft): ActValue {
    const value = this.emitHidden(step);
    this.output(value);
    return value;
  }

  /** Append a step without binding any output (an intermediate of a node that becomes several steps). */
  emitHidden(step: StepDraft): ActValue {
    const full: FloatStep = { ...step, name: this.name, onnxOp: this.op };
    this.ctx.budget.chargeStep(full, this.where);
    const ref = this.ctx.addStep(full);
    return { kind: 'act', ref, shape: step.outShape };
  }

  /** Names of the node's outputs that something reads (a graph output counts as a reader). */
  usedOutputs(): { index: number; name: string }[] {
    return (this.node.output ?? []).map((name, index) => ({ index, name })).filter((o) => o.name && this.ctx.consumerCount(o.name) > 0);
  }

  /** Append a step and bind its result as output `index` (ops with several outputs, e.g. Split). */
  emitOutput(index: number, step: StepDraft): ActValue {
    const value = this.emitHidden(step);
    this.ctx.bind(this.node.output?.[index] ?? '', value);
    return value;
  }
}

export class ImportContext {
  readonly steps: FloatStep[] = [];
  /** What this import has folded and how much work its steps do so far (import-limits.ts). */
  readonly budget = new ImportBudget();
  private readonly values = new Map<string, GraphValue>();
  private readonly consumers = new Map<string, number>();
  private readonly refNames = new Map<TensorRef, string[]>();

  constructor(readonly opset: number) {}

  countConsumers(graph: onnx.IGraphProto): void {
    const bump = (name: string): void => {
      if (name) this.consumers.set(name, (this.consumers.get(name) ?? 0) + 1);
    };
    for (const node of graph.node ?? []) for (const name of node.input ?? []) bump(name);
    for (const output of graph.output ?? []) bump(output.name ?? '');
  }

  consumerCount(name: string): number {
    return this.consumers.get(name) ?? 0;
  }

  bind(name: string, value: GraphValue): void {
    this.values.set(name, value);
    if (value.kind === 'act') this.refNames.set(value.ref, [...(this.refNames.get(value.ref) ?? []), name]);
  }

  value(name: string, where: string): GraphValue {
    const value = this.values.get(name);
    if (!value) throw new EngineError('MALFORMED_ONNX', `${where} reads "${name}", which no earlier node or initializer defines`);
    return value;
  }

  /** The step whose output is tensor `ref` (undefined for the model input). */
  producer(ref: TensorRef): FloatStep | undefined {
    return ref === 0 ? undefined : this.steps[ref - 1];
  }

  addStep(step: FloatStep): TensorRef {
    this.steps.push(step);
    return this.steps.length;
  }

  /** The step that produced ref, when ref is the latest step's output and is read exactly once. */
  foldableProducer(ref: TensorRef): FloatStep | undefined {
    if (ref !== this.steps.length || ref === 0) return undefined;
    const reads = (this.refNames.get(ref) ?? []).reduce((sum, name) => sum + this.consumerCount(name), 0);
    return reads === 1 ? this.steps[ref - 1] : undefined;
  }
}
