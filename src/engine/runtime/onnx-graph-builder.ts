/** Minimal ONNX graph writer (onnx-proto, IR 8, opset 17) for float64 graphs with a dynamic batch. */
import { onnx } from 'onnx-proto';

export const EXACT_GRAPH_OPSET_VERSION = 17;
export const EXACT_GRAPH_IR_VERSION = 8;

type AttributeValue = number | number[] | { float: number };

/** A graph input or output: a float64 tensor [batch, width]. */
export interface GraphValue {
  name: string;
  width: number;
}

const DT = onnx.TensorProto.DataType;

function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if (typeof value === 'number') return { name, type: T.INT, i: value };
  return { name, type: T.FLOAT, f: value.float };
}

export class OnnxGraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly scalarCache = new Map<number, string>();
  private counter = 0;

  private fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  /** A float64 initializer (raw little-endian bytes). */
  f64(values: ArrayLike<number>, dims: number[]): string {
    const name = this.fresh('c');
    const data = Float64Array.from(values);
    const rawData = new Uint8Array(data.length * 8);
    const view = new DataView(rawData.buffer);
    data.forEach((v, i) => view.setFloat64(i * 8, v, true));
    this.initializers.push({ name, dims, dataType: DT.DOUBLE, rawData });
    return name;
  }

  /** A float64 scalar (deduplicated). */
  scalar(value: number): string {
    const key = Object.is(value, -0) ? 0 : value;
    const cached = this.scalarCache.get(key);
    if (cached) return cached;
    const name = this.f64([key], []);
    this.scalarCache.set(key, name);
    return name;
  }

  i64(values: ArrayLike<number>, dims: number[]): string {
    const name = this.fresh('i');
    const data = new BigInt64Array(values.length);
    for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
    this.initializers.push({ name, dims, dataType: DT.INT64, rawData: new Uint8Array(data.buffer) });
    return name;
  }

  node(op: string, inputs: string[], attrs: Record<string, AttributeValue> = {}, output?: string): string {
    const out = output ?? this.fresh(op.toLowerCase());
    this.nodes.push({
      opType: op,
      name: this.fresh(`n_${op}`),
      input: inputs,
      output: [out],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  /** The model bytes; `output` is one graph output, or several in the given order. */
  encode(input: GraphValue, output: GraphValue | readonly GraphValue[]): Uint8Array {
    const outputs = 'name' in output ? [output] : output;
    const valueInfo = (name: string, width: number): onnx.IValueInfoProto => ({
      name,
      type: { tensorType: { elemType: DT.DOUBLE, shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] } } },
    });
    const model: onnx.IModelProto = {
      irVersion: EXACT_GRAPH_IR_VERSION,
      producerName: 'verity-engine',
      opsetImport: [{ domain: '', version: EXACT_GRAPH_OPSET_VERSION }],
      graph: {
        name: 'verity_exact_fixed_point',
        node: this.nodes,
        initializer: this.initializers,
        input: [valueInfo(input.name, input.width)],
        output: outputs.map((o) => valueInfo(o.name, o.width)),
      },
    };
    return onnx.ModelProto.encode(model).finish();
  }
}
