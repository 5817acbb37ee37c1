import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emptyState } from '../state/fixtures';
import { applySnapshot, resetState } from '../state/store.svelte';
import Analysis from './Analysis.svelte';

beforeEach(() => resetState());
afterEach(() => clearMocks());

describe('Analysis', () => {
  it('shows progress, detectors, ETA, and cancels a running job', async () => {
    const state = emptyState();
    state.work.analyses = {
      a1: {
        projectId: 'p1', status: 'running', progress: 42.4, issuesFound: 3, etaSeconds: 90,
        startedAt: '2026-11-22T10:00:00Z', finishedAt: null, message: null,
        detectors: [
          ['secrets', { status: 'complete', progress: 100, issuesFound: 2 }],
          ['deps', { status: 'running', progress: 30, issuesFound: null }],
        ],
      },
      a0: {
        projectId: 'p0', status: 'complete', progress: 100, issuesFound: 0, etaSeconds: 0,
        startedAt: '2026-11-22T09:00:00Z', finishedAt: '2026-11-22T09:05:00Z', message: null, detectors: [],
      },
    };
    applySnapshot({ version: 1, sections: [], state });
    let sent: unknown;
    mockIPC((cmd, args) => {
      if (cmd === 'send_event') sent = args;
      return null;
    });
    render(Analysis);
    const jobs = screen.getAllByTestId('analysis-job');
    expect(jobs.map((j) => j.dataset.analysisId)).toEqual(['a1', 'a0']);
    const bar = screen.getAllByTestId('analysis-progress')[0]!;
    expect(bar.getAttribute('aria-valuenow')).toBe('42');
    expect((bar.firstElementChild as HTMLElement).style.width).toBe('42%');
    expect(bar.firstElementChild!.getAttribute('style')).not.toBeNull(); // set through CSSOM, not markup
    expect(screen.getAllByTestId('detector-row')).toHaveLength(2);
    expect(screen.getAllByTestId('analysis-eta')[0]!.textContent).toContain('1 min');
    expect(screen.getAllByTestId('analysis-cancel')).toHaveLength(1);
    await fireEvent.click(screen.getByTestId('analysis-cancel'));
    expect(sent).toEqual({ namespace: '/', name: 'analysis:cancel', payload: { analysisId: 'a1' } });
  });
});
