// Analysis runs as the view lists them: running first, then newest.
import type { AnalysisCancel } from '../protocol';
import { call } from '../ipc/invoke';
import type { AnalysisView, AppState } from '../state/types';

export interface Job {
  id: string;
  view: AnalysisView;
}

export function jobsOf(state: AppState): Job[] {
  const jobs: Job[] = [];
  for (const [id, view] of Object.entries(state.work.analyses)) if (view) jobs.push({ id, view });
  return jobs.sort(
    (a, b) =>
      Number(b.view.status === 'running') - Number(a.view.status === 'running') ||
      (b.view.startedAt ?? '').localeCompare(a.view.startedAt ?? ''),
  );
}

/** 0–100, clamped, for bar widths. */
export const percent = (value: number) => Math.max(0, Math.min(100, Math.round(value)));

export function cancelAnalysis(analysisId: string): Promise<unknown> {
  const payload: AnalysisCancel = { analysisId };
  return call('send_event', { namespace: '/', name: 'analysis:cancel', payload });
}
