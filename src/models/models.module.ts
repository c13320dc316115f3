import { Module } from '@nestjs/common';
import { ModelCompiler } from './model-compiler';
import { ModelsResolver } from './models.resolver';
import { ModelsService } from './models.service';

@Module({
  providers: [{ provide: ModelCompiler, useFactory: () => new ModelCompiler() }, ModelsService, ModelsResolver],
  exports: [ModelsService],
})
export class ModelsModule {}
