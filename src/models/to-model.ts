import type { QuantizedModel } from '../engine';
import type { ModelEntity } from './model.entity';
import type { AccuracyReport, Model } from './dto/model.model';

/** Maps the table row to the API type. */
export function toModel(entity: ModelEntity): Model {
  const quantized = entity.quantized as QuantizedModel;
  return {
    id: entity.id,
    name: entity.name,
    commitment: entity.commitment,
    ops: entity.ops,
    parameterCount: entity.parameterCount,
    inputShape: entity.inputShape,
    outputShape: entity.outputShape,
    fractionBits: entity.fractionBits,
    inputBound: quantized.inputBoundReal,
    accuracy: entity.accuracy as AccuracyReport,
    modes: entity.modes,
    chainStatus: entity.chainStatus,
    // Serialized only when a query selects it (the default field resolver reads the getter).
    get quantizedJson() {
      return JSON.stringify(entity.quantized);
    },
    createdAt: entity.createdAt,
  };
}
