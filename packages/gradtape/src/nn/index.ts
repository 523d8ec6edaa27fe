export { Layer, type LayerOptions } from "./layer.js";
export { Dense, setLayerSeed, type DenseOptions } from "./dense.js";
export { Flatten } from "./flatten.js";
export { Model, Sequential } from "./model.js";
export { ACTIVATIONS, activationFn, type Activation, type ActivationName } from "./activations.js";
export { initialize, type Initializer, type InitializerName } from "./initializers.js";
export { FourierFeatures, type FourierFeaturesOptions } from "./fourier-features.js";
export { PeriodicEmbedding, type PeriodicEmbeddingOptions } from "./periodic.js";
export { ModifiedMLP, type ModifiedMLPOptions } from "./modified-mlp.js";
