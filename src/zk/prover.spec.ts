import { ProverPool } from './prover';

describe('ProverPool', () => {
  it('refuses a pool without threads', () => {
    expect(() => new ProverPool({ size: 0 })).toThrow(expect.objectContaining({ code: 'PROOF_FAILED' }));
  });

  it('rejects a job whose circuit files do not exist, without starting a thread', async () => {
    const pool = new ProverPool();
    await expect(
      pool.prove({ wasmPath: '/nonexistent/c.wasm', zkeyPath: '/nonexistent/c.zkey', input: {} }),
    ).rejects.toMatchObject({
      code: 'PROOF_FAILED',
      message: '/nonexistent/c.wasm does not exist',
    });
    await pool.close();
  });

  it('rejects jobs after close', async () => {
    const pool = new ProverPool();
    await pool.close();
    await expect(pool.prove({ wasmPath: __filename, zkeyPath: __filename, input: {} })).rejects.toThrow(
      /closed/,
    );
  });
});
