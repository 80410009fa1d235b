import { Module } from '@nestjs/common';
import { CrmModule } from '../crm/crm.module';
import { RpsController } from './rps.controller';

@Module({ imports: [CrmModule], controllers: [RpsController] })
export class RpsModule {}
