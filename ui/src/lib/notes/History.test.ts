import { afterEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import type { ActionItemView, NoteView } from '../state/types';
import History from './History.svelte';

afterEach(() => clearMocks());

/** A note from the hub as the history command answers it (as the lists show it); `n` orders
 * them: a higher one is newer. */
function hubNote(n: number, fields: Partial<NoteView> = {}): NoteView {
  return {
    id: `note${n}`,
    clientId: `c-note${n}`,
    state: 'synced',
    reason: null,
    agentId: 'u-agent',
    noteType: 'COACHING',
    content: `note ${n}`,
    priority: 'MEDIUM',
    category: null,
    createdAt: `2026-11-${String(n).padStart(2, '0')}T10:00:00Z`,
    createdBy: { id: 'u-me', name: 'Me Myself' },
    ...fields,
  };
}

function hubItem(n: number, fields: Partial<ActionItemView> = {}): ActionItemView {
  return {
    id: `item${n}`,
    clientId: `c-item${n}`,
    state: 'synced',
    reason: null,
    agentId: 'u-agent',
    title: `item ${n}`,
    description: null,
    dueDate: '2026-12-01',
    priority: 'HIGH',
    category: 'follow-up',
    status: 'IN_PROGRESS',
    createdAt: `2026-11-${String(n).padStart(2, '0')}T10:00:00Z`,
    createdBy: { id: 'u-me', name: 'Me Myself' },
    ...fields,
  };
}

/** Answers `cmd` with the pages in turn (oldest first each, as the hub sends them). */
function hub(cmd: string, ...pages: ({ entries: unknown[]; more: boolean } | Error)[]) {
  const sent: unknown[] = [];
  mockIPC((command, args) => {
    if (command !== cmd) throw new Error(`unexpected command ${command}`);
    sent.push(args);
    const page = pages.shift();
    if (page instanceof Error) throw { code: 'HUB_UNREACHABLE', message: page.message };
    return page;
  });
  return sent;
}

const flush = () => new Promise((r) => setTimeout(r, 0));
const texts = (testid: string, part: string) =>
  screen.getAllByTestId(testid).map((el) => within(el).getByTestId(part).textContent);

describe('History', () => {
  it('loads the page older than the live list on request and lists it newest first', async () => {
    const sent = hub('note_history', { entries: [hubNote(1), hubNote(2), hubNote(3)], more: false });
    render(History, { agentId: 'u-agent', name: 'Alex Agent', kind: 'notes', olderThan: 'live1' });
    expect(screen.queryByTestId('history')).toBeNull();
    const show = screen.getByTestId('show-history');
    expect(show.textContent?.trim()).toBe('Show older notes');
    expect(show.dataset.agentId).toBe('u-agent');

    await fireEvent.click(show);
    await flush();
    expect(sent).toEqual([{ agentId: 'u-agent', before: 'live1' }]);
    expect(screen.getByTestId('history').dataset.agentId).toBe('u-agent');
    expect(texts('history-note', 'note-text')).toEqual(['note 3', 'note 2', 'note 1']);
    expect(screen.getAllByTestId('history-note').map((n) => n.dataset.state)).toEqual(['synced', 'synced', 'synced']);
    // History notes are not live ones.
    expect(screen.queryByTestId('note-item')).toBeNull();
    // Nothing older: no way to ask for more.
    expect(screen.queryByTestId('history-more')).toBeNull();
  });

  it('starts from the newest on the hub when the live list has no synced entry', async () => {
    const sent = hub('note_history', { entries: [], more: false });
    render(History, { agentId: 'u-agent', name: 'Alex Agent', kind: 'notes', olderThan: null });
    await fireEvent.click(screen.getByTestId('show-history'));
    await flush();
    expect(sent).toEqual([{ agentId: 'u-agent', before: null }]);
    expect(screen.getByTestId('history').textContent).toContain('Nothing older on the hub.');
  });

  it('pages back from the oldest loaded, appends older ones and never lists one twice', async () => {
    const sent = hub(
      'note_history',
      { entries: [hubNote(4), hubNote(5), hubNote(6)], more: true },
      // The hub repeats note 4 (say a page boundary moved): listed once.
      { entries: [hubNote(2), hubNote(3), hubNote(4)], more: true },
      { entries: [hubNote(1)], more: false },
    );
    render(History, { agentId: 'u-agent', name: 'Alex Agent', kind: 'notes', olderThan: 'live1' });
    await fireEvent.click(screen.getByTestId('show-history'));
    await flush();
    await fireEvent.click(screen.getByTestId('history-more'));
    await flush();
    expect(texts('history-note', 'note-text')).toEqual(['note 6', 'note 5', 'note 4', 'note 3', 'note 2']);
    await fireEvent.click(screen.getByTestId('history-more'));
    await flush();
    expect(sent).toEqual([
      { agentId: 'u-agent', before: 'live1' },
      { agentId: 'u-agent', before: 'note4' },
      { agentId: 'u-agent', before: 'note2' },
    ]);
    expect(texts('history-note', 'note-text')).toEqual(['note 6', 'note 5', 'note 4', 'note 3', 'note 2', 'note 1']);
    expect(screen.queryByTestId('history-more')).toBeNull();
  });

  it('reads what newer ones push out of the live list while it is open, so none is missed', async () => {
    // The hub holds notes 1 to 9. The live list shows 4 to 9 when the panel opens; then two new
    // notes push 4 and 5 out of it (it now starts at 6), and later one more pushes 6 out.
    const sent = hub(
      'note_history',
      { entries: [hubNote(2), hubNote(3)], more: true },
      // Back from 6: 4 and 5 are new to the panel, 3 is where it joins.
      { entries: [hubNote(3), hubNote(4), hubNote(5)], more: true },
      // Back from 7: only 6, then a page that reaches 5.
      { entries: [hubNote(6)], more: true },
      { entries: [hubNote(5)], more: true },
    );
    const { rerender } = render(History, { agentId: 'u-agent', name: 'Alex Agent', kind: 'notes', olderThan: 'note4' });
    await fireEvent.click(screen.getByTestId('show-history'));
    await flush();
    expect(texts('history-note', 'note-text')).toEqual(['note 3', 'note 2']);

    await rerender({ agentId: 'u-agent', name: 'Alex Agent', kind: 'notes', olderThan: 'note6' });
    await flush();
    expect(texts('history-note', 'note-text')).toEqual(['note 5', 'note 4', 'note 3', 'note 2']);
    await rerender({ agentId: 'u-agent', name: 'Alex Agent', kind: 'notes', olderThan: 'note7' });
    await flush();
    await flush();
    expect(texts('history-note', 'note-text')).toEqual(['note 6', 'note 5', 'note 4', 'note 3', 'note 2']);
    expect(sent).toEqual([
      { agentId: 'u-agent', before: 'note4' },
      { agentId: 'u-agent', before: 'note6' },
      { agentId: 'u-agent', before: 'note7' },
      { agentId: 'u-agent', before: 'note6' },
    ]);
    // Still "Show more" from the oldest read.
    expect(screen.getByTestId('history-more')).toBeTruthy();
  });

  it('disables the button while a page loads', async () => {
    let answer: (page: unknown) => void = () => {};
    mockIPC(() => new Promise((resolve) => (answer = resolve)));
    render(History, { agentId: 'u-agent', name: 'Alex Agent', kind: 'notes', olderThan: 'live1' });
    const show = screen.getByTestId('show-history') as HTMLButtonElement;
    await fireEvent.click(show);
    expect(show.disabled).toBe(true);
    answer({ entries: [hubNote(2)], more: true });
    await flush();
    const more = screen.getByTestId('history-more') as HTMLButtonElement;
    expect(more.disabled).toBe(false);
    await fireEvent.click(more);
    expect(more.disabled).toBe(true);
    answer({ entries: [hubNote(1)], more: false });
    await flush();
    expect(screen.queryByTestId('history-more')).toBeNull();
  });

  it('shows a failure as code: message and retries on the next click', async () => {
    const sent = hub(
      'note_history',
      new Error('hub did not answer'),
      { entries: [hubNote(2)], more: true },
      new Error('still down'),
      { entries: [hubNote(1)], more: false },
    );
    render(History, { agentId: 'u-agent', name: 'Alex Agent', kind: 'notes', olderThan: 'live1' });
    await fireEvent.click(screen.getByTestId('show-history'));
    await flush();
    expect(screen.getByRole('alert').textContent).toBe('HUB_UNREACHABLE: hub did not answer');
    expect(screen.queryByTestId('history')).toBeNull();
    const retry = screen.getByTestId('show-history') as HTMLButtonElement;
    expect(retry.disabled).toBe(false);

    await fireEvent.click(retry);
    await flush();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(texts('history-note', 'note-text')).toEqual(['note 2']);

    // A failed "Show more" keeps what was read and can be retried.
    await fireEvent.click(screen.getByTestId('history-more'));
    await flush();
    expect(screen.getByRole('alert').textContent).toBe('HUB_UNREACHABLE: still down');
    expect(texts('history-note', 'note-text')).toEqual(['note 2']);
    await fireEvent.click(screen.getByTestId('history-more'));
    await flush();
    expect(texts('history-note', 'note-text')).toEqual(['note 2', 'note 1']);
    expect(sent.at(-1)).toEqual({ agentId: 'u-agent', before: 'note2' });
  });

  it('Hide forgets what was read: the next look starts again where the live list ends', async () => {
    const sent = hub(
      'note_history',
      { entries: [hubNote(2)], more: true },
      { entries: [hubNote(3)], more: false },
    );
    render(History, { agentId: 'u-agent', name: 'Alex Agent', kind: 'notes', olderThan: 'live1' });
    await fireEvent.click(screen.getByTestId('show-history'));
    await flush();
    await fireEvent.click(screen.getByTestId('history-hide'));
    expect(screen.queryByTestId('history')).toBeNull();
    await fireEvent.click(screen.getByTestId('show-history'));
    await flush();
    expect(sent).toEqual([
      { agentId: 'u-agent', before: 'live1' },
      { agentId: 'u-agent', before: 'live1' },
    ]);
    expect(texts('history-note', 'note-text')).toEqual(['note 3']);
  });

  it('drops a page that arrives after Hide', async () => {
    let answer: (page: unknown) => void = () => {};
    mockIPC(() => new Promise((resolve) => (answer = resolve)));
    render(History, { agentId: 'u-agent', name: 'Alex Agent', kind: 'notes', olderThan: 'live1' });
    await fireEvent.click(screen.getByTestId('show-history'));
    answer({ entries: [hubNote(2)], more: true });
    await flush();
    await fireEvent.click(screen.getByTestId('history-more'));
    await fireEvent.click(screen.getByTestId('history-hide'));
    answer({ entries: [hubNote(1)], more: false });
    await flush();
    expect(screen.queryByTestId('history')).toBeNull();
    expect((screen.getByTestId('show-history') as HTMLButtonElement).disabled).toBe(false);
  });

  it('renders note content as text, never as HTML', async () => {
    hub('note_history', { entries: [hubNote(1, { content: '<img src=x onerror=alert(1)>' })], more: false });
    const { container } = render(History, { agentId: 'u-agent', name: 'Alex Agent', kind: 'notes', olderThan: 'live1' });
    await fireEvent.click(screen.getByTestId('show-history'));
    await flush();
    expect(container.querySelector('img')).toBeNull();
    expect(texts('history-note', 'note-text')).toEqual(['<img src=x onerror=alert(1)>']);
  });

  it('pages through action items with action_item_history, rendered like the live ones', async () => {
    const sent = hub(
      'action_item_history',
      { entries: [hubItem(2, { title: '<img src=x onerror=alert(1)>' }), hubItem(3)], more: true },
      { entries: [hubItem(1, { description: 'call <b>back</b>' })], more: false },
    );
    const { container } = render(History, { agentId: 'u-agent', name: 'Alex Agent', kind: 'actionItems', olderThan: 'live1' });
    const show = screen.getByTestId('show-history');
    expect(show.textContent?.trim()).toBe('Show older action items for Alex Agent');
    await fireEvent.click(show);
    await flush();
    await fireEvent.click(screen.getByTestId('history-more'));
    await flush();
    expect(sent).toEqual([
      { agentId: 'u-agent', before: 'live1' },
      { agentId: 'u-agent', before: 'item2' },
    ]);
    const rows = screen.getAllByTestId('history-action-item');
    expect(rows.map((r) => r.querySelector('strong')?.textContent)).toEqual([
      'item 3',
      '<img src=x onerror=alert(1)>',
      'item 1',
    ]);
    expect(rows.map((r) => r.dataset.clientId)).toEqual(['c-item3', 'c-item2', 'c-item1']);
    expect(container.querySelector('img, b')).toBeNull();
    expect(rows[2]!.textContent).toContain('call <b>back</b>');
    expect(rows[0]!.textContent).toContain('for Alex Agent');
    expect(rows[0]!.textContent).toContain('in progress');
    expect(screen.queryByTestId('action-item')).toBeNull();
    expect(screen.queryByTestId('history-more')).toBeNull();
  });
});
