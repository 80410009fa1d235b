import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { SecretBox } from './secret-box';

@Global()
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => new SecretBox(c.keks, c.activeKekId),
    },
  ],
  exports: [SecretBox],
})
export class SecretsModule {}
