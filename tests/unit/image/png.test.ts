import { inflateSync, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, encodePng } from '../../../src/lib/image/png';

/** Parse chunks back out of a PNG and inflate its image data with node's zlib (independent decoder). */
function decode(png: Uint8Array) {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: Record<string, Uint8Array> = {};
  let pos = 8;
  while (pos < png.length) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(...png.subarray(pos + 4, pos + 8));
    const data = png.subarray(pos + 8, pos + 8 + length);
    expect(view.getUint32(pos + 8 + length)).toBe(crc32(png, pos + 4, pos + 8 + length));
    chunks[type] = data;
    pos += 12 + length;
  }
  return chunks;
}

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('encodePng', () => {
  const width = 3;
  const height = 2;
  const rgba = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * 37) % 256);

  for (const [name, deflate] of [
    ['stored blocks', undefined],
    ['zlib', (d: Uint8Array) => new Uint8Array(deflateSync(d))],
  ] as const) {
    it(`writes a decodable RGBA PNG (${name})`, () => {
      const chunks = decode(encodePng(rgba, width, height, deflate));
      const ihdr = new DataView(chunks.IHDR!.buffer, chunks.IHDR!.byteOffset, 13);
      expect([ihdr.getUint32(0), ihdr.getUint32(4)]).toEqual([width, height]);
      expect(Array.from(chunks.IHDR!.subarray(8))).toEqual([8, 6, 0, 0, 0]);
      const raw = inflateSync(chunks.IDAT!);
      expect(raw.length).toBe(height * (width * 4 + 1));
      for (let y = 0; y < height; y++) {
        expect(raw[y * (width * 4 + 1)]).toBe(0);
        expect(Array.from(raw.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)))).toEqual(
          Array.from(rgba.subarray(y * width * 4, (y + 1) * width * 4)),
        );
      }
      expect(chunks.IEND).toHaveLength(0);
    });
  }

  it('splits stored blocks above 65535 bytes and stays decodable', () => {
    const big = new Uint8Array(200 * 100 * 4).fill(9);
    const raw = inflateSync(decode(encodePng(big, 200, 100)).IDAT!);
    expect(raw.length).toBe(100 * (200 * 4 + 1));
  });

  it('rejects a mismatched buffer', () => {
    expect(() => encodePng(new Uint8Array(4), 2, 1)).toThrow(RangeError);
  });
});
