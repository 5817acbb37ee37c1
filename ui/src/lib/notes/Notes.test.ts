import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { KEPT } from '../protocol';
import { emptyState, note } from '../state/fixtures';
import { applySnapshot, resetState } from '../state/store.svelte';
import Notes from './Notes.svelte';

function withNotes(...notes: ReturnType<typeof note>[]) {
  const state = emptyState();
  state.team.presence = { 'u-agent': { userName: 'Alex Agent', status: 'online', changedAt: null } };
  state.work.notes = Object.fromEntries(notes.map((n) => [n.clientId, n]));
  applySnapshot({ version: 1, sections: [], state });
}

beforeEach(() => resetState());
afterEach(() => clearMocks());

describe('Notes', () => {
  it('renders note content as text, never as HTML', () => {
    withNotes(note('n1', { content: '<img src=x onerror=alert(1)>' }));
    const { container } = render(Notes);
    expect(container.querySelector('img')).toBeNull();
    const text = screen.getByTestId('note-text');
    expect(text.textContent).toBe('<img src=x onerror=alert(1)>');
  });

  it('shows each note pending, synced or rejected with the reason', () => {
    withNotes(
      note('a', { state: 'pending', createdAt: '2026-11-22T10:00:03Z' }),
      note('b', { state: 'synced', createdAt: '2026-11-22T10:00:02Z' }),
      note('c', { state: 'rejected', reason: 'agent not in your team', createdAt: '2026-11-22T10:00:01Z' }),
    );
    render(Notes);
    const items = screen.getAllByTestId('note-item');
    expect(items.map((i) => i.dataset.state)).toEqual(['pending', 'synced', 'rejected']);
    expect(within(items[0]!).getByText('waiting to sync')).toBeTruthy();
    expect(within(items[0]!).queryByTestId('note-reason')).toBeNull();
    expect(within(items[2]!).getByTestId('note-reason').textContent).toBe('agent not in your team');
  });

  it('says whose lists show only the newest, as many as the engine keeps', async () => {
    const state = emptyState();
    state.team.presence = {
      'u-agent': { userName: 'Alex Agent', status: 'online', changedAt: null },
      'u-other': { userName: 'Bo Other', status: 'online', changedAt: null },
    };
    const synced = (agentId: string, count: number, prefix: string) =>
      Array.from({ length: count }, (_, i) => note(`${prefix}${i}`, { agentId, state: 'synced' }));
    // Alex: as many synced notes as kept (a pending one does not count); Bo: one fewer.
    const notes = [
      ...synced('u-agent', KEPT.NOTES_PER_AGENT, 'a'),
      note('pending', { agentId: 'u-other', state: 'pending' }),
      ...synced('u-other', KEPT.NOTES_PER_AGENT - 1, 'b'),
    ];
    state.work.notes = Object.fromEntries(notes.map((n) => [n.clientId, n]));
    state.work.actionItems = Object.fromEntries(
      Array.from({ length: KEPT.ACTION_ITEMS_PER_AGENT }, (_, i) => [
        `i${i}`,
        {
          clientId: `i${i}`, state: 'synced', reason: null, id: `item${i}`, agentId: 'u-other',
          title: 't', description: null, dueDate: '2026-12-01', priority: 'LOW', category: 'c',
          // The last created first: the oldest is the last one.
          status: 'PENDING', createdBy: null, createdAt: `2026-11-22T10:${String(59 - i).padStart(2, '0')}:00Z`,
        },
      ]),
    );
    applySnapshot({ version: 1, sections: [], state });
    render(Notes);
    const hints = screen.getAllByTestId('older-notes');
    expect(hints.map((h) => h.textContent)).toEqual([
      expect.stringContaining(`newest ${KEPT.NOTES_PER_AGENT} synced notes about Alex Agent`),
    ]);
    expect(screen.getByTestId('older-action-items').textContent).toContain('for Bo Other;');
    // Only they can page back through the hub's history, notes and action items apart.
    expect(
      screen.getAllByTestId('show-history').map((b) => [b.dataset.agentId, b.textContent?.trim()]),
    ).toEqual([
      ['u-agent', 'Show older notes'],
      ['u-other', 'Show older action items for Bo Other'],
    ]);
    // Live action items keep their testid and data attributes (e2e tests select by them).
    const live = screen.getAllByTestId('action-item');
    expect(live.map((i) => i.dataset.clientId).sort()).toEqual(Object.keys(state.work.actionItems).sort());
    expect(new Set(live.map((i) => i.dataset.state))).toEqual(new Set(['synced']));
    // Bo's action-item history starts older than the oldest item listed.
    let sent: unknown;
    mockIPC((cmd, args) => {
      sent = [cmd, args];
      return { entries: [], more: false };
    });
    await fireEvent.click(screen.getAllByTestId('show-history')[1]!);
    const last = `item${KEPT.ACTION_ITEMS_PER_AGENT - 1}`;
    expect(sent).toEqual(['action_item_history', { agentId: 'u-other', before: last }]);
  });

  it("reads an agent's older notes from the hub under that agent's notes", async () => {
    withNotes(
      ...Array.from({ length: KEPT.NOTES_PER_AGENT }, (_, i) =>
        note(`n${i}`, { state: 'synced', id: `live${i}`, content: 'live' }),
      ),
    );
    let sent: unknown;
    mockIPC((cmd, args) => {
      if (cmd !== 'note_history') return;
      sent = args;
      return {
        entries: [
          {
            id: 'old1', clientId: 'c-old1', agentId: 'u-agent', teamLeaderId: 'u-me', noteType: 'URGENT',
            content: 'from the hub', priority: 'HIGH', createdAt: '2026-01-01T10:00:00Z',
            createdBy: { id: 'u-me', name: 'Me Myself' },
          },
        ],
        more: false,
      };
    });
    render(Notes);
    await fireEvent.click(screen.getByTestId('show-history'));
    await new Promise((r) => setTimeout(r, 0));
    // Older than the oldest the live list shows (n0: times tie, so the smallest clientId).
    expect(sent).toEqual({ agentId: 'u-agent', before: 'live0' });
    const history = screen.getByTestId('history');
    expect(within(history).getAllByTestId('note-text').map((t) => t.textContent)).toEqual(['from the hub']);
    // The live list is untouched: the history is a panel of its own.
    expect(screen.getAllByTestId('note-item')).toHaveLength(KEPT.NOTES_PER_AGENT);
  });

  it('never offers me as an agent in the note or action-item pickers', () => {
    const state = emptyState();
    state.me = { id: 'u-lead', name: 'Lena Leader' };
    state.team.presence = {
      'u-lead': { userName: 'Lena Leader', status: 'online', changedAt: null },
      'u-agent': { userName: 'Alex Agent', status: 'offline', changedAt: null },
    };
    applySnapshot({ version: 1, sections: [], state });
    render(Notes);
    const noteOptions = [...(screen.getByTestId('note-agent') as HTMLSelectElement).options];
    expect(noteOptions.map((o) => [o.value, o.textContent])).toEqual([['u-agent', 'Alex Agent']]);
    const actionSelect = screen.getByTestId('action-form').querySelector('select')!;
    expect([...actionSelect.options].map((o) => o.value)).toEqual(['u-agent']);
    expect(screen.queryByText(/\(you\)/)).toBeNull();
  });

  it('captures a note through capture_note', async () => {
    withNotes();
    let sent: unknown;
    mockIPC((cmd, args) => {
      if (cmd === 'capture_note') {
        sent = args;
        return 'client-1';
      }
    });
    render(Notes);
    await fireEvent.input(screen.getByTestId('note-input'), { target: { value: 'Great call' } });
    await fireEvent.change(screen.getByTestId('note-type'), { target: { value: 'POSITIVE' } });
    await fireEvent.click(screen.getByTestId('note-submit'));
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual({
      note: { agentId: 'u-agent', noteType: 'POSITIVE', priority: 'MEDIUM', content: 'Great call' },
    });
    expect((screen.getByTestId('note-input') as HTMLTextAreaElement).value).toBe('');
  });

  it('shows a capture failure as code: message', async () => {
    withNotes();
    mockIPC(() => {
      throw { code: 'INVALID_INPUT', message: 'content: too long' };
    });
    render(Notes);
    await fireEvent.input(screen.getByTestId('note-input'), { target: { value: 'x' } });
    await fireEvent.click(screen.getByTestId('note-submit'));
    expect((await screen.findByTestId('note-error')).textContent).toBe('INVALID_INPUT: content: too long');
  });
});
