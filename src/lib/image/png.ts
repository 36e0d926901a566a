/**
 * Minimal PNG encoder (8-bit RGBA, no interlace, filter "None"), after the PNG spec (ISO/IEC
 * 15948). Pure: the caller passes a zlib `deflate` (node:zlib's deflateSync in scripts and tests),
 * or omits it to get stored (uncompressed) deflate blocks, which every decoder accepts.
 */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; i++) {
    a = (a + bytes[i]!) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A zlib stream made of stored blocks (RFC 1950 + RFC 1951 §3.2.4). */
function zlibStored(data: Uint8Array): Uint8Array {
  const blockSize = 65535;
  const blocks = Math.max(1, Math.ceil(data.length / blockSize));
  const out = new Uint8Array(2 + blocks * 5 + data.length + 4);
  const view = new DataView(out.buffer);
  out[0] = 0x78;
  out[1] = 0x01;
  let pos = 2;
  for (let b = 0; b < blocks; b++) {
    const chunk = data.subarray(b * blockSize, Math.min(data.length, (b + 1) * blockSize));
    out[pos++] = b === blocks - 1 ? 1 : 0;
    view.setUint16(pos, chunk.length, true);
    view.setUint16(pos + 2, ~chunk.length & 0xffff, true);
    pos += 4;
    out.set(chunk, pos);
    pos += chunk.length;
  }
  view.setUint32(pos, adler32(data));
  return out;
}

export function encodePng(
  rgba: ArrayLike<number>,
  width: number,
  height: number,
  deflate: (data: Uint8Array) => Uint8Array = zlibStored,
): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`png: bad size ${width}×${height}`);
  }
  if (rgba.length !== width * height * 4) throw new RangeError('png: pixel buffer does not match the size');
  const stride = width * 4;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter type None
    for (let i = 0; i < stride; i++) raw[y * (stride + 1) + 1 + i] = rgba[y * stride + i]!;
  }
  const header = new Uint8Array(13);
  const headerView = new DataView(header.buffer);
  headerView.setUint32(0, width);
  headerView.setUint32(4, height);
  header.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type RGBA, deflate, filter 0, no interlace

  const chunks: Array<[string, Uint8Array]> = [
    ['IHDR', header],
    ['IDAT', deflate(raw)],
    ['IEND', new Uint8Array(0)],
  ];
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const size = signature.length + chunks.reduce((sum, [, data]) => sum + 12 + data.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(signature, 0);
  let pos = signature.length;
  for (const [type, data] of chunks) {
    view.setUint32(pos, data.length);
    for (let i = 0; i < 4; i++) out[pos + 4 + i] = type.charCodeAt(i);
    out.set(data, pos + 8);
    view.setUint32(pos + 8 + data.length, crc32(out, pos + 4, pos + 8 + data.length));
    pos += 12 + data.length;
  }
  return out;
}
