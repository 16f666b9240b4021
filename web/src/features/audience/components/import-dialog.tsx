import { useRef, useState, type DragEvent } from 'react';

import { DevicePicker } from '@/components/device-picker/device-picker';
import { Button } from '@/components/ui/button';
import { Dialog, DialogActions } from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/error-message';
import { getFragmentData } from '@/gql';
import type { ImportKind, TagMergeMode } from '@/gql/graphql';
import { errorMessage } from '@/lib/errors';
import { pluralize } from '@/lib/format';

import {
  ImportJobFragment,
  useImportAiLeads,
  useImportJob,
  useImportLeads,
  useImportOptOuts,
} from '../api/audience';
import { importFileProblem, importFraction, roughRowCount } from '../utils/import-file';
import styles from './audience.module.css';

export type ImportDialogProps = {
  kind: ImportKind;
  defaultDeviceId?: string | null;
  onClose: () => void;
};

const TITLES: Record<ImportKind, string> = {
  LEADS: 'Import leads',
  AI_LEADS: 'Import AI leads',
  OPT_OUTS: 'Import opt-outs',
};

const COLUMNS: Record<ImportKind, string> = {
  LEADS: 'name, phone, niches, target_status, triggers, notes',
  AI_LEADS: 'name, phone, niches, target_status, notes',
  OPT_OUTS: 'phone, reason',
};

/**
 * Sends a CSV to be imported, then follows the job live: a progress bar, the counts, and the
 * rows the server refused with their line numbers and reasons.
 */
export function ImportDialog({ kind, defaultDeviceId = null, onClose }: ImportDialogProps) {
  const [leadsState, importLeads] = useImportLeads();
  const [aiState, importAiLeads] = useImportAiLeads();
  const [optOutState, importOptOuts] = useImportOptOuts();
  const [deviceId, setDeviceId] = useState<string | null>(defaultDeviceId);
  const [file, setFile] = useState<File | null>(null);
  const [rowsInFile, setRowsInFile] = useState<number | null>(null);
  const [tagMode, setTagMode] = useState<TagMergeMode>('MERGE');
  const [problem, setProblem] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const sending = leadsState.fetching || aiState.fetching || optOutState.fetching;

  const [{ data: jobData }] = useImportJob(jobId);
  const job = jobData?.importJob ? getFragmentData(ImportJobFragment, jobData.importJob) : null;

  const choose = (chosen: File | undefined) => {
    if (!chosen) return;
    const why = importFileProblem(chosen);
    setProblem(why);
    setFile(why ? null : chosen);
    setRowsInFile(null);
    if (!why) {
      void chosen.text().then(
        (text) => setRowsInFile(roughRowCount(text)),
        () => setRowsInFile(null),
      );
    }
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    choose(event.dataTransfer.files[0]);
  };

  const start = async () => {
    if (!file) {
      setProblem('Choose a CSV file first.');
      return;
    }
    if (kind === 'LEADS' && !deviceId) {
      setProblem('Choose the device the leads belong to.');
      return;
    }
    const result =
      kind === 'LEADS'
        ? await importLeads({ deviceId: deviceId ?? '', file, tagMode })
        : kind === 'AI_LEADS'
          ? await importAiLeads({ file, tagMode })
          : await importOptOuts({ file });
    if (result.error || !result.data) {
      setProblem(errorMessage(result.error));
      return;
    }
    const started =
      'importLeads' in result.data
        ? result.data.importLeads
        : 'importAiLeads' in result.data
          ? result.data.importAiLeads
          : result.data.importOptOuts;
    setJobId(started.id);
  };

  const running = job?.status === 'RUNNING';
  const fraction = job
    ? job.status === 'RUNNING'
      ? importFraction(job.rowsRead, rowsInFile)
      : 1
    : null;

  return (
    <Dialog open title={TITLES[kind]} size="medium" onClose={onClose} busy={sending}>
      {jobId ? (
        <div className={styles.form}>
          <p className={styles.formIntro}>{file?.name}</p>
          <div className={styles.progress}>
            <progress
              aria-label="Import progress"
              max={1}
              value={fraction ?? undefined}
              className={styles.progressBar}
            />
            <p role="status" className={styles.progressText}>
              {!job
                ? 'Starting…'
                : job.status === 'RUNNING'
                  ? `${pluralize(job.rowsRead, 'row')} read…`
                  : job.status === 'DONE'
                    ? `Done: ${pluralize(job.rowsRead, 'row')} read.`
                    : 'The import failed.'}
            </p>
          </div>
          {job ? (
            <dl className={styles.counts}>
              <div>
                <dt>Imported</dt>
                <dd>{job.imported}</dd>
              </div>
              <div>
                <dt>Updated</dt>
                <dd>{job.updated}</dd>
              </div>
              <div>
                <dt>Duplicates</dt>
                <dd>{job.duplicates}</dd>
              </div>
              <div>
                <dt>Rejected</dt>
                <dd>{job.rejectedCount}</dd>
              </div>
            </dl>
          ) : null}
          {job?.error ? <ErrorMessage message={job.error} /> : null}
          {job && job.rejected.length > 0 ? (
            <div className={styles.rejections}>
              <h3 className={styles.subheading}>Rows not imported</h3>
              <ul aria-label="Rows not imported">
                {job.rejected.map((rejection) => (
                  <li key={`${rejection.line}:${rejection.reason}`}>
                    <span className={styles.line}>Line {rejection.line}</span> {rejection.reason}
                  </li>
                ))}
              </ul>
              {job.rejectedCount > job.rejected.length ? (
                <p className={styles.muted}>
                  The first {job.rejected.length} of {job.rejectedCount} are shown.
                </p>
              ) : null}
            </div>
          ) : null}
          <DialogActions>
            <Button onClick={onClose} disabled={running}>
              {running ? 'Importing…' : 'Close'}
            </Button>
          </DialogActions>
        </div>
      ) : (
        <div className={styles.form}>
          {kind === 'LEADS' ? (
            <DevicePicker value={deviceId} onChange={setDeviceId} chooseFirst />
          ) : null}
          <div
            className={[styles.dropZone, dragging ? styles.dropZoneOn : ''].join(' ')}
            onDragOver={(event) => {
              event.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
          >
            <p>{file ? file.name : 'Drop a CSV file here, or'}</p>
            <Button variant="secondary" size="small" onClick={() => inputRef.current?.click()}>
              {file ? 'Choose another file' : 'Choose a file'}
            </Button>
            <input
              ref={inputRef}
              type="file"
              accept=".csv,text/csv"
              className="visually-hidden"
              aria-label="CSV file"
              onChange={(event) => choose(event.target.files?.[0])}
            />
            <p className={styles.muted}>Columns: {COLUMNS[kind]}. At most 50 MB.</p>
          </div>
          {kind === 'OPT_OUTS' ? null : (
            <fieldset className={styles.choice}>
              <legend>A phone that is already there</legend>
              <label>
                <input
                  type="radio"
                  name="tagMode"
                  checked={tagMode === 'MERGE'}
                  onChange={() => setTagMode('MERGE')}
                />{' '}
                keeps its tags and gets the new ones too
              </label>
              <label>
                <input
                  type="radio"
                  name="tagMode"
                  checked={tagMode === 'REPLACE'}
                  onChange={() => setTagMode('REPLACE')}
                />{' '}
                gets the file’s tags instead of its own
              </label>
            </fieldset>
          )}
          <ErrorMessage message={problem} />
          <DialogActions>
            <Button variant="secondary" onClick={onClose} disabled={sending}>
              Cancel
            </Button>
            <Button onClick={() => void start()} busy={sending} disabled={!file}>
              Import
            </Button>
          </DialogActions>
        </div>
      )}
    </Dialog>
  );
}
