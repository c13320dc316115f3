import { Module } from '@nestjs/common';
import { ExplorerController } from './explorer.controller';

/**
 * The explorer, a web page served by the API at `/` (docs/explorer.md): models, recent inferences
 * with live status, and one inference with its result, batch, proof or disputes. The page is a
 * client of the public GraphQL API (HTTP and graphql-ws on /graphql, same origin); this module
 * only serves its files.
 */
@Module({ controllers: [ExplorerController] })
export class ExplorerModule {}
