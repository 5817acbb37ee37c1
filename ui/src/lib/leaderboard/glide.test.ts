import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { glide } from './glide';

const ROW = 30;

/** A list whose rows are laid out 30 px apart (jsdom has no layout), drawn with their transform. */
function list(names: string[]): HTMLOListElement {
  const ol = document.createElement('ol');
  ol.getBoundingClientRect = () => DOMRect.fromRect({ x: 0, y: 100, width: 300, height: 0 });
  for (const name of names) {
    const li = document.createElement('li');
    li.textContent = name;
    li.getBoundingClientRect = () => {
      const index = [...ol.children].indexOf(li);
      return DOMRect.fromRect({ x: 0, y: 100 + index * ROW + offset(li), width: 300, height: ROW });
    };
    ol.append(li);
  }
  document.body.append(ol);
  return ol;
}

const row = (ol: HTMLElement, name: string) =>
  [...ol.children].find((li) => li.textContent === name) as HTMLElement;
/** The row's drawn move: its inline `translateY`, in px. */
const offset = (li: HTMLElement) => Number(/translateY\((-?[\d.e-]+)px\)/.exec(li.style.transform)?.[1] ?? 0);
const mutationsDelivered = () => new Promise<void>((resolve) => queueMicrotask(resolve));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['requestAnimationFrame', 'cancelAnimationFrame', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
  document.body.innerHTML = '';
});

describe('glide', () => {
  it('draws reordered rows from their old place to the new one, then leaves them be', async () => {
    const ol = list(['a', 'b', 'c']);
    const stop = glide(400)(ol) as () => void;
    ol.prepend(row(ol, 'c'));
    await mutationsDelivered();
    // c came up two places, a and b went down one.
    expect(offset(row(ol, 'c'))).toBe(2 * ROW);
    expect(offset(row(ol, 'a'))).toBe(-ROW);
    vi.advanceTimersByTime(200);
    const halfway = offset(row(ol, 'c'));
    expect(halfway).toBeGreaterThan(0);
    expect(halfway).toBeLessThan(2 * ROW);
    vi.advanceTimersByTime(300);
    for (const li of ol.children) expect((li as HTMLElement).style.transform).toBe('');
    stop();
  });

  it('continues an interrupted move from where the row is drawn', async () => {
    const ol = list(['a', 'b', 'c']);
    glide(400)(ol);
    ol.prepend(row(ol, 'c'));
    await mutationsDelivered();
    vi.advanceTimersByTime(100);
    const c = row(ol, 'c');
    const drawnAt = c.getBoundingClientRect().top;
    // Back to the bottom before the move is over: c starts from where it was drawn.
    ol.append(c);
    await mutationsDelivered();
    expect(c.getBoundingClientRect().top).toBeCloseTo(drawnAt);
    vi.advanceTimersByTime(500);
    expect(c.style.transform).toBe('');
    expect(c.getBoundingClientRect().top).toBe(100 + 2 * ROW);
  });

  it('does nothing for reduced motion, and stops watching once detached', async () => {
    const still = list(['a', 'b']);
    glide(0)(still);
    still.prepend(row(still, 'b'));
    await mutationsDelivered();
    expect(row(still, 'b').style.transform).toBe('');

    const ol = list(['a', 'b']);
    const stop = glide(400)(ol) as () => void;
    stop();
    ol.prepend(row(ol, 'b'));
    await mutationsDelivered();
    expect(row(ol, 'b').style.transform).toBe('');
  });
});
