import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Runtime } from './runtime';

export const RUNTIME = Symbol('RUNTIME');

/** Makes the started runtime (config, chain clients, deployment) injectable everywhere. */
@Global()
@Module({})
export class RuntimeModule {
  static forRoot(runtime: Runtime): DynamicModule {
    return { module: RuntimeModule, providers: [{ provide: RUNTIME, useValue: runtime }], exports: [RUNTIME] };
  }
}
