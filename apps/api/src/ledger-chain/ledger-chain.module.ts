import { Module } from '@nestjs/common';
import { LedgerModule } from '../crm/ledger.module';
import { OrgDirectoryModule } from '../orgs/org-directory.module';
import { LedgerChainService } from './ledger-chain.service';

/** The ledger's hash chain: the sealer job and verification (the audit context serves it). */
@Module({
  imports: [LedgerModule, OrgDirectoryModule],
  providers: [LedgerChainService],
  exports: [LedgerChainService],
})
export class LedgerChainModule {}
