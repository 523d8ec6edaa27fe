// Weights I/O on bytes and strings (no file system: this runs in browsers too). JSON in the CLI's format, and
// safetensors for PyTorch/JAX/Hugging Face interchange.
export { WeightsFormatError, denseLayers } from "./layers.js";
export {
  weightsToJSON, saveWeightsJSON, float32Decimal, encodeWeightsJSON, loadWeightsJSON, modelFromWeightsJSON, parseWeightsJSON,
  type WeightsJSON, type DenseLayerJSON,
} from "./json.js";
export {
  decodeSafetensors, encodeSafetensors, entryToFloat32, entryToFloat64, SAFETENSORS_DTYPES, MAX_HEADER_BYTES,
  type SafetensorsEntry, type SafetensorsFile, type DecodeOptions, type TensorSource,
} from "./safetensors-format.js";
export {
  saveSafetensors, loadSafetensors, modelFromSafetensors, safetensorsNames, ACTIVATIONS_KEY,
  type LoadSafetensorsOptions, type NamingOptions,
} from "./safetensors.js";
export { MAX_WEIGHTS_BYTES, MAX_JSON_DEPTH, type ReadLimits } from "./limits.js";
