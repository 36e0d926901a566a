/** The ONNX writer moved to models/standins/onnx-builder.ts (the stand-in generators use it too). */
export * from '../../../models/standins/onnx-builder';
