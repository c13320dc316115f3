import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateModels1795380000000 implements MigrationInterface {
  name = 'CreateModels1795380000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE models (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        commitment char(66) NOT NULL UNIQUE,
        onnx_sha256 char(64) NOT NULL,
        onnx bytea NOT NULL,
        quantized jsonb NOT NULL,
        ops text[] NOT NULL,
        parameter_count integer NOT NULL,
        input_shape integer[] NOT NULL,
        output_shape integer[] NOT NULL,
        fraction_bits integer NOT NULL,
        accuracy jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX models_created_at_idx ON models (created_at DESC, id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE models');
  }
}
