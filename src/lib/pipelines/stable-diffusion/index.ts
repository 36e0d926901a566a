/** Stable Diffusion pipelines on the public ONNX exports (SD-Turbo, SD 1.5 fp16) with TAESD previews. */
export {
  openSdComponents,
  fileOf,
  SD_ROLES,
  TAESD_ROLE,
  type SdComponent,
  type SdComponents,
  type OpenComponent,
} from './components.ts';
export * from './config.ts';
export { decodeLatents, decodeWithTaesd, decodeWithVae, previewFunction, type PreviewDecoder } from './decode.ts';
export {
  denoise,
  modelTimestepOf,
  type SdStep,
  type DenoiseOptions,
  type DenoiseResult,
  type GuidedPrediction,
} from './denoise.ts';
export { generateSdTurbo, checkTurboSteps, type SdTurboOptions, type SdResult, type SdTimings } from './sd-turbo.ts';
export { generateSd15, SD15_DEFAULT_STEPS, SD15_DEFAULT_WEIGHT, type Sd15Options } from './sd15.ts';
export { encodeTokens, tokenizeChecked, type Tokenize } from './text.ts';
export { planarToRgba, floatFeed, floatValues, type RgbaImage } from './tensors.ts';
