import { describe, expect, it } from 'vitest';
import { sdStandins, SD_STANDIN_IDS } from '../../../models/standins/sd-standins';
import { openOrtComponent } from '../../../src/lib/pipelines/stable-diffusion/node-sessions';
import { loadability } from '../../../src/lib/runtime/manifest';
import { createSession, dispose, sessionContract } from '../../../src/lib/runtime/ort';
import { entry, openStandins } from './sd-helpers';

describe('SD stand-ins copy the manifest contracts, and a wrong file is rejected naming the difference', () => {
  it.each(SD_STANDIN_IDS)(
    '%s: every stand-in file reports the manifest names, dtypes and (symbolic) shapes',
    async (id) => {
      const e = entry(id);
      const standins = sdStandins(e);
      const models = e.files.filter((f) => f.hub!.path.endsWith('.onnx'));
      expect([...standins.keys()]).toEqual(models.map((f) => f.role));
      for (const file of models) {
        const { path, bytes } = standins.get(file.role)!;
        expect(path).toBe(file.hub!.path);
        const session = await createSession(bytes, { backend: 'wasm' });
        const contract = sessionContract(session);
        await dispose(session);
        // Inputs exactly as declared, symbolic names included.
        expect(Object.fromEntries(contract.inputs.map((d) => [d.name, { dtype: d.dtype, shape: d.shape }]))).toEqual(
          Object.fromEntries(Object.entries(file.io.inputs).map(([n, t]) => [n, { dtype: t.dtype, shape: t.shape }])),
        );
        // Outputs: same names and dtypes; for a symbolic output dimension ORT reports the declared
        // name or what its shape inference proves instead (channels 4 or 3, the input's dim names).
        expect(contract.outputs.map((d) => [d.name, d.dtype])).toEqual(
          Object.entries(file.io.outputs).map(([n, t]) => [n, t.dtype]),
        );
        for (const out of contract.outputs) {
          const declared = file.io.outputs[out.name]!.shape;
          expect(out.shape).toHaveLength(declared.length);
          const inputDims = Object.values(file.io.inputs).flatMap((t) => t.shape);
          declared.forEach((d, i) =>
            typeof d === 'number'
              ? expect(out.shape![i]).toBe(d)
              : expect([d, 3, 4, ...inputDims]).toContain(out.shape![i]),
          );
        }
      }
    },
  );

  it('the manifest holds the real exports facts the pipelines rely on', () => {
    const turbo = entry('sd-turbo');
    const unet = turbo.files.find((f) => f.role === 'unet')!;
    expect(unet.hub).toMatchObject({ repo: 'schmuell/sd-turbo-ort-web', path: 'unet/model.onnx' });
    expect(unet.io.inputs['timestep']).toEqual({ dtype: 'int64', shape: ['steps'] });
    expect(turbo.files.find((f) => f.role === 'text_encoder')!.io.inputs['input_ids']!.dtype).toBe('int32');
    const sd15 = entry('sd15-webnn-fp16');
    expect(sd15.files.find((f) => f.role === 'unet')!.io.outputs['out_sample']).toEqual({
      dtype: 'float16',
      shape: [2, 4, 64, 64],
    });
    const taesd = entry('taesd');
    expect(taesd.files.map((f) => [f.role, f.hub!.repo, f.hub!.path])).toEqual([
      ['vae_decoder', 'deinferno/taesd-onnx', 'vae_decoder/model.onnx'],
    ]);
    expect(taesd.requiredFeatures).toEqual([]);
    for (const e of [turbo, sd15, taesd]) expect(loadability(e).loadable).toBe(false);
  });

  it('rejects a UNet whose timestep input is renamed, naming both names', async () => {
    await expect(
      openStandins('sd-turbo', {
        change: { role: 'unet', side: 'inputs', name: 'timestep', to: { name: 'timesteps' } },
      }),
    ).rejects.toThrow(
      /sd-turbo unet file does not match its manifest contract: input "timestep" is missing \(the model has "sample", "timesteps", "encoder_hidden_states"\); input "timesteps" is not in the manifest/,
    );
  });

  it('rejects a UNet whose timestep is float32 instead of int64', async () => {
    await expect(
      openStandins('sd-turbo', {
        change: { role: 'unet', side: 'inputs', name: 'timestep', to: { dtype: 'float32' } },
      }),
    ).rejects.toThrow(/input "timestep" is float32, the manifest says int64/);
  });

  it('rejects a UNet built for SD 1.5 text embeddings (768 wide) where SD-Turbo needs 1024', async () => {
    await expect(
      openStandins('sd-turbo', {
        change: {
          role: 'unet',
          side: 'inputs',
          name: 'encoder_hidden_states',
          to: { shape: ['batch_size', 'sequence_length', 768] },
        },
      }),
    ).rejects.toThrow(/input "encoder_hidden_states" dimension 2 is 768, the manifest says 1024/);
  });

  it('rejects an SD 1.5 UNet exported at 32×32 latents, and a float32 VAE decoder where float16 is expected', async () => {
    await expect(
      openStandins('sd15-webnn-fp16', {
        change: [
          { role: 'unet', side: 'inputs', name: 'sample', to: { shape: [2, 4, 32, 32] } },
          { role: 'unet', side: 'outputs', name: 'out_sample', to: { shape: [2, 4, 32, 32] } },
        ],
      }),
    ).rejects.toThrow(
      /input "sample" dimension 2 is 32, the manifest says 64; input "sample" dimension 3 is 32, the manifest says 64; .*output "out_sample" dimension 2 is 32/,
    );
    await expect(
      openStandins('sd15-webnn-fp16', {
        change: { role: 'vae_decoder', side: 'outputs', name: 'sample', to: { dtype: 'float32' } },
      }),
    ).rejects.toThrow(/output "sample" is float32, the manifest says float16/);
  });

  it('accepts a text encoder without the optional pooler_output', async () => {
    const file = entry('sd-turbo').files.find((f) => f.role === 'text_encoder')!;
    const { standinModel } = await import('../../../models/standins/sd-standins');
    const { pooler_output: _unused, ...outputs } = file.io.outputs;
    const component = await openOrtComponent(
      standinModel('text-encoder', { inputs: file.io.inputs, outputs }),
      file,
      'sd-turbo text_encoder',
    );
    expect(Object.keys(sessionContract(component.session).outputs.map((o) => o.name))).toHaveLength(1);
    await dispose(component.session);
  });
});
