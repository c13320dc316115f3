import type { QuantizedModel } from '../engine';
import type { ModelEntity, ModelListing } from './model.entity';
import type { AccuracyReport, Model } from './dto/model.model';

/**
 * Maps the table row to the API type. A listing row has no quantized JSON: its `quantizedJson` is
 * left to the resolver, which loads it only when a query selects it.
 */
export function toModel(entity: ModelEntity | ModelListing): Model {
  if ('inputBound' in entity) return { ...common(entity), inputBound: entity.inputBound } as Model;
  const quantized = entity.quantized as QuantizedModel;
  return {
    ...common(entity),
    inputBound: quantized.inputBoundReal,
    // Serialized only when a query selects it (the default field resolver reads the getter).
    get quantizedJson() {
      return JSON.stringify(entity.quantized);
    },
  };
}

function common(entity: ModelEntity | ModelListing): Omit<Model, 'inputBound' | 'quantizedJson'> {
  return {
    id: entity.id,
    name: entity.name,
    commitment: entity.commitment,
    ops: entity.ops,
    parameterCount: entity.parameterCount,
    inputShape: entity.inputShape,
    outputShape: entity.outputShape,
    fractionBits: entity.fractionBits,
    accuracy: entity.accuracy as AccuracyReport,
    modes: entity.modes,
    chainStatus: entity.chainStatus,
    owner: entity.owner,
    createdAt: entity.createdAt,
  };
}
