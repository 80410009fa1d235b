import '@mantine/dropzone/styles.css';
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Group,
  List,
  Paper,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { Dropzone } from '@mantine/dropzone';
import { IconFileCertificate, IconUpload, IconX } from '@tabler/icons-react';
import { useMemo, useState, type FormEvent } from 'react';
import { ActionError } from '@/components/query-state';
import { isApiError } from '@/lib/api-client';
import type { Certificate, CertificateProblem } from '@/types/api';
import { useUploadCertificate } from '../api/upload-certificate';
import { analyzeFiles, type Analysis, type LoadedFile } from '../utils/certificate-files';
import { ProblemsList } from './problems-list';
import { PasswordField } from '@/components/password-field';

const MAX_FILE_BYTES = 1024 * 1024;

const KIND_LABEL = {
  pem: 'PEM',
  'der-certificate': 'DER certificate',
  pkcs12: 'PKCS#12',
  unknown: 'Not recognised',
} as const;

function problemsOf(error: unknown): CertificateProblem[] | null {
  if (!isApiError(error) || error.code !== 'CERTIFICATE_INVALID') return null;
  const problems = error.details?.problems;
  return Array.isArray(problems) ? (problems as CertificateProblem[]) : null;
}

function Summary({ analysis, onRemove }: { analysis: Analysis; onRemove: (name: string) => void }) {
  return (
    <Stack gap="xs">
      <List spacing={4} size="sm" aria-label="Dropped files" listStyleType="none" p={0}>
        {analysis.files.map((file) => (
          <List.Item key={file.name}>
            <Group gap="xs" wrap="nowrap">
              <ActionIcon
                variant="subtle"
                color="gray"
                size="sm"
                aria-label={`Remove ${file.name}`}
                onClick={() => onRemove(file.name)}
              >
                <IconX size={14} aria-hidden />
              </ActionIcon>
              <IconFileCertificate size={16} aria-hidden />
              <Text size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>
                {file.name}
              </Text>
              <Badge size="sm" variant="light" color={file.kind === 'unknown' ? 'red' : 'gray'}>
                {KIND_LABEL[file.kind]}
              </Badge>
              {file.kind === 'pem' && (
                <Text size="xs" c="dimmed">
                  {file.certificates} certificate{file.certificates === 1 ? '' : 's'}, {file.privateKeys} key
                  {file.privateKeys === 1 ? '' : 's'}
                </Text>
              )}
            </Group>
          </List.Item>
        ))}
      </List>
      {analysis.material?.format === 'pem' && (
        <Text size="sm" role="status">
          Detected PEM: certificate from <strong>{analysis.leafSource}</strong>, private key from{' '}
          <strong>{analysis.keySource}</strong>
          {analysis.chainCount > 0
            ? `, and a chain of ${analysis.chainCount} certificate${analysis.chainCount === 1 ? '' : 's'}`
            : ', no chain'}
          .
        </Text>
      )}
      {analysis.material?.format === 'pkcs12' && (
        <Text size="sm" role="status">
          Detected PKCS#12: <strong>{analysis.pkcs12Source}</strong>. Enter its password below.
        </Text>
      )}
      {analysis.problems.length > 0 && (
        <Alert color="orange" variant="light" p="sm" title="Not ready to upload">
          <List size="sm" spacing={2}>
            {analysis.problems.map((problem) => (
              <List.Item key={problem}>{problem}</List.Item>
            ))}
          </List>
        </Alert>
      )}
    </Stack>
  );
}

/**
 * Drop PEM files (certificate, key and optional chain, combined or separate) or one PKCS#12 file; the content
 * decides which. The API's validation report lists every problem if the certificate is refused.
 */
export function CertificateUploadForm({ onUploaded }: { onUploaded: (certificate: Certificate) => void }) {
  const [files, setFiles] = useState<LoadedFile[]>([]);
  const [readError, setReadError] = useState<string | null>(null);
  const [liveId, setLiveId] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [liveIdError, setLiveIdError] = useState<string | null>(null);
  const upload = useUploadCertificate();
  const analysis = useMemo(() => analyzeFiles(files), [files]);

  const addFiles = async (dropped: File[]) => {
    setReadError(null);
    try {
      const loaded = await Promise.all(
        dropped.map(async (file) => ({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) })),
      );
      // Dropping a file with the same name again replaces it.
      setFiles((current) => [...current.filter((f) => !loaded.some((l) => l.name === f.name)), ...loaded]);
      upload.reset();
    } catch {
      setReadError('The file could not be read by the browser.');
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const id = liveId.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(id)) {
      setLiveIdError('Enter the service account’s Windows Live ID (an email address)');
      document.getElementById('certificate-live-id')?.focus();
      return;
    }
    setLiveIdError(null);
    const material = analysis.material;
    if (!material) return;
    const common = { serviceAccountLiveId: id, ...(name.trim() ? { name: name.trim() } : {}) };
    const body =
      material.format === 'pkcs12'
        ? { ...common, format: 'pkcs12' as const, pkcs12Base64: material.pkcs12Base64, password }
        : { ...common, ...material };
    upload.mutate(body, { onSuccess: onUploaded });
  };

  const serverProblems = problemsOf(upload.error);
  const badPassword = isApiError(upload.error) && upload.error.code === 'CERTIFICATE_BAD_PASSWORD';

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="md">
        <Paper withBorder p="lg" radius="md">
          <Title order={2} size="h4" mb="xs">
            Certificate files
          </Title>
          <Dropzone
            onDrop={(dropped) => void addFiles(dropped)}
            onReject={(rejections) =>
              setReadError(
                rejections
                  .map((r) => `${r.file.name}: ${r.errors.map((e) => e.message).join(', ')}`)
                  .join('; '),
              )
            }
            maxSize={MAX_FILE_BYTES}
            multiple
            inputProps={{ 'aria-label': 'Certificate files' }}
            role="button"
            aria-label="Drop files here, or press Enter to browse"
          >
            <Group justify="center" gap="lg" mih={120} style={{ pointerEvents: 'none' }}>
              <Dropzone.Accept>
                <IconUpload size={40} aria-hidden />
              </Dropzone.Accept>
              <Dropzone.Reject>
                <IconX size={40} aria-hidden />
              </Dropzone.Reject>
              <Dropzone.Idle>
                <IconFileCertificate size={40} aria-hidden color="var(--mantine-color-dimmed)" />
              </Dropzone.Idle>
              <div>
                <Text size="lg" inline>
                  Drop certificate files here, or click to choose
                </Text>
                <Text size="sm" c="dimmed" mt={6}>
                  PEM (certificate + private key + optional chain, in one file or several) or PKCS#12 (.pfx /
                  .p12). Up to 1 MB each.
                </Text>
              </div>
            </Group>
          </Dropzone>
          {readError && (
            <Text c="red.7" size="sm" mt="xs" role="alert">
              {readError}
            </Text>
          )}
          {files.length > 0 && (
            <Stack gap="xs" mt="md">
              <Summary
                analysis={analysis}
                onRemove={(name) => {
                  setFiles((current) => current.filter((f) => f.name !== name));
                  upload.reset();
                }}
              />
            </Stack>
          )}
        </Paper>

        <Paper withBorder p="lg" radius="md">
          <Title order={2} size="h4" mb="xs">
            Service account
          </Title>
          <Stack gap="sm">
            <TextInput
              id="certificate-live-id"
              label="Service account Live ID"
              description="The Windows Live ID the certificate signs in as (e.g. erp_integration@contoso.onmicrosoft.com)."
              required
              type="email"
              value={liveId}
              onChange={(e) => setLiveId(e.currentTarget.value)}
              error={liveIdError}
              autoComplete="off"
            />
            <TextInput
              label="Name"
              description="Optional: a name to tell certificates apart (defaults to the subject)."
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              autoComplete="off"
            />
            {analysis.material?.format === 'pkcs12' && (
              <PasswordField
                label="PKCS#12 password"
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                error={badPassword ? 'Wrong password for this PKCS#12 file' : undefined}
                autoComplete="off"
              />
            )}
          </Stack>
        </Paper>

        {serverProblems ? (
          <Alert color="red" variant="light" title="The certificate was refused" role="alert">
            <Stack gap="xs">
              <Text size="sm">Every problem found is listed below. Fix them and upload again.</Text>
              <ProblemsList problems={serverProblems} />
            </Stack>
          </Alert>
        ) : (
          !badPassword && <ActionError error={upload.error} title="Could not upload the certificate" />
        )}

        <Group>
          <Button
            type="submit"
            loading={upload.isPending}
            disabled={!analysis.material}
            leftSection={<IconUpload size={16} aria-hidden />}
          >
            Upload certificate
          </Button>
          {!analysis.material && (
            <Text size="sm" c="dimmed">
              {files.length === 0
                ? 'Drop the certificate files first.'
                : 'Fix the file problems above first.'}
            </Text>
          )}
        </Group>
      </Stack>
    </form>
  );
}
