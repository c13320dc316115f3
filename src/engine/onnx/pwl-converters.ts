/** Exp, Erf, Elu, Selu, Celu, Softplus: the generic PWL step (docs/semantics.md section 4.1). */
import type { UnaryPwlFunction } from '../fixed-point/pwl-table';
import type { NodeView } from './import-context';

const FUNCTIONS: Record<string, UnaryPwlFunction> = { Exp: 'exp', Erf: 'erf', Elu: 'elu', Selu: 'selu', Celu: 'celu', Softplus: 'softplus' };

export function convertUnaryPwl(node: NodeView): void {
  const x = node.act(0);
  const fn = FUNCTIONS[node.op];
  const alpha = node.attrs.float('alpha', fn === 'selu' ? 1.67326319217681884765625 : 1);
  const gamma = fn === 'selu' ? node.attrs.float('gamma', 1.05070102214813232421875) : 0;
  if (fn === 'celu' && !(alpha > 0)) node.refuse(`alpha ${alpha} must be positive`);
  node.emit({ op: 'pwl', fn, alpha: fn === 'exp' || fn === 'erf' || fn === 'softplus' ? 0 : alpha, gamma, inputs: [x.ref], outShape: x.shape });
}
