/**
 * Test helpers of the engine, for specs outside it (the lint rule lets only specs import this
 * barrel): synthetic ONNX models and the committed MNIST holdout.
 */
export { buildFloatModel, buildRandomMlp, floatAttr, intAttr, intsAttr, seededValues, type FloatModelSpec } from './float-model-builder';
export { outerBroadcastModel, hugeInputModel } from './blow-up-models';
export { engineErrorOf } from './engine-error-of';
export { loadMnistHoldout, mnistFixtureDir, type MnistHoldout } from '../mnist/mnist-data';
export { globalPoolConvModel, reluChainModel, wideConvModel } from './attack-models';
export { compareWithFloat, exactGraphAndEvaluator, type FloatComparison } from './float-comparison';
export { fixtureNames, loadFixture } from './fixture-dir';
