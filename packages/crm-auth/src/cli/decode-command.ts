import { open, stat } from 'node:fs/promises';
import { CrmAuthError } from '../errors';
import { decodeMessage } from '../messages/decode';
import { DEFAULT_MAX_XML_BYTES } from '../xml/safe-parse';
import { type CliCommand, CliUsageError } from './cli-command';
import { parseOptions } from './parse-options';

/** `crm-auth decode FILE`: any supported SOAP message as the JSON of fixtures/README.md. */
export const decodeCommand: CliCommand = {
  name: 'decode',
  synopsis: 'decode FILE',
  summary: 'print a SOAP request, response or fault as JSON (the contract is in fixtures/README.md)',
  failureLabel: 'refused',
  async run(args, io) {
    // No options; a FILE that starts with a dash goes after `--`.
    const [file, ...rest] = parseOptions(args, [], { positionals: true }).positionals;
    if (file === undefined || rest.length > 0) throw new CliUsageError('decode takes exactly one FILE');
    const bytes = await readCapped(file, DEFAULT_MAX_XML_BYTES);
    const decoded = decodeMessage(bytes, { maxBytes: DEFAULT_MAX_XML_BYTES });
    io.stdout(`${JSON.stringify(decoded, null, 2)}\n`);
    return 0;
  },
};

/** Reads at most `maxBytes` (+1 to detect more): a huge file is refused without being loaded. */
async function readCapped(file: string, maxBytes: number): Promise<Uint8Array> {
  const info = await stat(file);
  if (!info.isFile()) throw new CliUsageError(`${file} is not a file`);
  if (info.size > maxBytes) throw new CrmAuthError('ERR_XML_TOO_LARGE', `XML larger than ${maxBytes} bytes`);
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, length, buf.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      // The file grew since stat: still refuse rather than read on.
      if (length > maxBytes) throw new CrmAuthError('ERR_XML_TOO_LARGE', `XML larger than ${maxBytes} bytes`);
    }
    return buf.subarray(0, length);
  } finally {
    await handle.close();
  }
}
