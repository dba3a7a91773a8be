/**
 * The script of a report page. It runs in the browser: {@link viewerMain} is serialized into the
 * page with `Function.prototype.toString`, so it must not refer to anything outside its own body
 * (no imports, no module-level values). It is type-checked here like the rest of the code.
 *
 * What it does: reads the steps from the page's `#dscheck-data` JSON; selecting a step (a click
 * on its row, a message or a mark, the buttons, or the keyboard) highlights its row and the
 * messages it sent and received, and shows in the inspector the action, the violated check when
 * it is the violating step, the changed fields, and the full state with the changed fields
 * highlighted (and the old value next to each) and unchanged large parts folded.
 *
 * Keys: ↓ → j n next step · ↑ ← k p previous step · Home/End first/last · v the violating step.
 */
export function viewerMain(): void {
  interface Step {
    readonly label: string;
    readonly state: unknown;
    readonly changes: readonly string[];
    readonly threw?: boolean;
  }
  interface Data {
    readonly steps?: readonly Step[];
    readonly violation?: { readonly step: number; readonly headline: string; readonly doc?: string } | null;
  }
  const dataEl = document.getElementById('dscheck-data');
  const data = JSON.parse(dataEl?.textContent ?? '{}') as Data;
  const steps = data.steps ?? [];
  if (steps.length === 0) {
    // A report with no trace (a check that held, a history): nothing to select.
    document.body.classList.add('ready');
    return;
  }
  const violation = data.violation ?? null;
  let current = -1;

  const byId = (id: string): HTMLElement | null => document.getElementById(id);
  const el = (tag: string, cls?: string, text?: string): HTMLElement => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  /** Put `text` into `parent`, with a `<wbr>` after the punctuation of long tokens (as escWrap). */
  const wrapInto = (parent: HTMLElement, text: string): HTMLElement => {
    for (const t of text.split(/(\s+)/)) {
      const parts = t.length > 24 ? t.split(/(?<=[,:;=/|)\]}])(?=\S)/) : [t];
      parts.forEach((x, i) => {
        if (i > 0) parent.appendChild(document.createElement('wbr'));
        parent.appendChild(document.createTextNode(x));
      });
    }
    return parent;
  };
  const json = (v: unknown): string => (v === undefined ? '(none)' : JSON.stringify(v));
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

  /** A primitive value, coloured by type. */
  const prim = (v: unknown): HTMLElement => {
    const t = v === null ? 'null' : typeof v;
    return el('span', `v v-${t}`, json(v));
  };

  /** A value and, when it changed, its old value. */
  const leaf = (v: unknown, prev: unknown, hasPrev: boolean): HTMLElement => {
    const changed = hasPrev && json(v) !== json(prev);
    if (!changed) return prim(v);
    const wrap = el('span', 'changed');
    wrap.appendChild(prim(v));
    const was = el('span', 'was', `was ${json(prev)}`);
    wrap.appendChild(was);
    return wrap;
  };

  const isPrimitive = (v: unknown): boolean => v === null || typeof v !== 'object';

  /** A value as a tree; `prev` is the value at the same place in the previous state. */
  const tree = (v: unknown, prev: unknown, hasPrev: boolean, depth: number): HTMLElement => {
    if (Array.isArray(v)) return arrayNode(v, prev, hasPrev, depth);
    if (isObj(v)) return objectNode(v, prev, hasPrev, depth);
    return leaf(v, prev, hasPrev);
  };

  /** Fold a large unchanged subtree behind a summary. */
  const foldable = (node: HTMLElement, v: unknown, changed: boolean, depth: number): HTMLElement => {
    const size = json(v).length;
    if (changed || depth === 0 || size < 60 || current <= 0) return node;
    const d = el('details', 'fold');
    const count = Array.isArray(v) ? `${v.length} items` : isObj(v) ? `${Object.keys(v).length} fields` : '';
    d.appendChild(el('summary', 'fold-summary', `${Array.isArray(v) ? '[…]' : '{…}'} ${count}, unchanged`));
    d.appendChild(node);
    return d;
  };

  const objectNode = (v: Record<string, unknown>, prev: unknown, hasPrev: boolean, depth: number): HTMLElement => {
    const keys = Object.keys(v);
    if (keys.length === 0) return leaf(v, prev, hasPrev);
    const p = hasPrev && isObj(prev) ? prev : undefined;
    const ul = el('ul', 'obj');
    for (const k of keys) {
      const li = el('li');
      const has = p !== undefined && k in p;
      const changed = hasPrev && json(v[k]) !== json(p?.[k]);
      if (changed) li.className = has || p === undefined ? 'chg' : 'chg added';
      li.appendChild(el('span', 'key', k));
      li.appendChild(el('span', 'sep', ': '));
      const child = tree(v[k], p?.[k], hasPrev && has, depth + 1);
      li.appendChild(foldable(child, v[k], changed, depth + 1));
      ul.appendChild(li);
    }
    if (p) {
      for (const k of Object.keys(p)) {
        if (k in v) continue;
        const li = el('li', 'chg removed');
        li.appendChild(el('span', 'key', k));
        li.appendChild(el('span', 'sep', ': '));
        li.appendChild(el('span', 'was', `was ${json(p[k])}`));
        ul.appendChild(li);
      }
    }
    return ul;
  };

  const arrayNode = (v: readonly unknown[], prev: unknown, hasPrev: boolean, depth: number): HTMLElement => {
    const p = hasPrev && Array.isArray(prev) ? (prev as readonly unknown[]) : undefined;
    // One style with the text trace (impl/core/trace.ts diffsByIdentity): lists of strings (messages
    // in flight, timers, sets of names) and lists whose length changed are compared by identity,
    // as multisets; lists of numbers or records of the same length position by position.
    const strings = (xs: readonly unknown[]): boolean => xs.every((x) => typeof x === 'string');
    const sameShape = p !== undefined && p.length === v.length && !(strings(p) && strings(v));
    // Which elements are new, and which old ones are gone (as multisets), when compared by identity.
    const added = new Set<number>();
    const removed: unknown[] = [];
    if (p !== undefined && !sameShape) {
      const count = new Map<string, number>();
      for (const x of p) count.set(json(x), (count.get(json(x)) ?? 0) + 1);
      v.forEach((x, i) => {
        const c = count.get(json(x)) ?? 0;
        if (c > 0) count.set(json(x), c - 1);
        else added.add(i);
      });
      for (const x of p) {
        const c = count.get(json(x)) ?? 0;
        if (c > 0) {
          removed.push(x);
          count.set(json(x), c - 1);
        }
      }
    }
    if (v.length === 0 && removed.length === 0) return leaf(v, prev, hasPrev);
    const inline = v.every(isPrimitive) && removed.every(isPrimitive) && json(v).length + json(removed).length < 90;
    if (inline) {
      const span = el('span', 'arr-inline');
      span.appendChild(el('span', 'punct', '['));
      v.forEach((x, i) => {
        if (i > 0) span.appendChild(el('span', 'punct', ', '));
        const item = sameShape ? leaf(x, p![i], true) : prim(x);
        if (added.has(i)) item.classList.add('added');
        span.appendChild(item);
      });
      for (const x of removed) {
        if (span.childNodes.length > 1) span.appendChild(el('span', 'punct', ', '));
        const r = prim(x);
        r.classList.add('removed');
        span.appendChild(r);
      }
      span.appendChild(el('span', 'punct', ']'));
      return span;
    }
    const ol = el('ol', 'arr');
    v.forEach((x, i) => {
      const li = el('li');
      const changed = sameShape ? json(x) !== json(p![i]) : added.has(i);
      if (changed) li.className = added.has(i) ? 'chg added' : 'chg';
      li.appendChild(el('span', 'idx', String(i)));
      // A small record or list reads best on one line, as compact JSON.
      const small = !isPrimitive(x) && json(x).length <= 64;
      const child = small ? leaf(x, sameShape ? p![i] : undefined, sameShape) : tree(x, sameShape ? p![i] : undefined, sameShape, depth + 1);
      li.appendChild(foldable(child, x, changed, depth + 1));
      ol.appendChild(li);
    });
    for (const x of removed) {
      const li = el('li', 'chg removed');
      li.appendChild(el('span', 'idx', '−'));
      li.appendChild(el('span', 'was', json(x)));
      ol.appendChild(li);
    }
    return ol;
  };

  /**
   * Make a row visible: scroll the trace box so that the row is in the part of the box that is
   * on screen, below its sticky lane header; scroll the page only if that is not enough and
   * `page` allows it. On load `page` is false: the page stays at its top, so the model name and
   * the verdict are what the reader sees first, and only the box scrolls to the selected row.
   */
  const reveal = (row: Element, page: boolean): void => {
    const box = row.closest('.scroll-box');
    if (!(box instanceof HTMLElement)) return;
    const head = box.querySelector('.lane-head, thead');
    const headH = head ? head.getBoundingClientRect().height : 0;
    const b = box.getBoundingClientRect();
    const top = page ? Math.max(b.top + headH, 0) : b.top + headH;
    const bottom = page ? Math.min(b.bottom, window.innerHeight) : b.bottom;
    let r = row.getBoundingClientRect();
    if (bottom - top > r.height) {
      if (r.top < top) box.scrollTop -= top - r.top + 12;
      else if (r.bottom > bottom) box.scrollTop += r.bottom - bottom + 12;
    }
    if (!page) return;
    r = row.getBoundingClientRect();
    if (r.top < headH) window.scrollBy(0, r.top - headH - 60);
    else if (r.bottom > window.innerHeight) window.scrollBy(0, r.bottom - window.innerHeight + 60);
  };

  const rowsOf = (k: number): Element[] => Array.from(document.querySelectorAll(`.step-row[data-step="${k}"], .gutter-row[data-step="${k}"]`));

  /**
   * Show step `k` (clamped) in the inspector and highlight it. `scroll`: bring its row into view
   * ('box': inside the trace box only, 'page': the page too, if needed; false: not at all).
   */
  const select = (k: number, scroll: 'box' | 'page' | false): void => {
    const next = Math.max(0, Math.min(steps.length - 1, k));
    if (next === current) return;
    current = next;
    for (const e of Array.from(document.querySelectorAll('.selected'))) e.classList.remove('selected');
    for (const e of Array.from(document.querySelectorAll('.msg.hl'))) e.classList.remove('hl');
    for (const e of rowsOf(next)) e.classList.add('selected');
    for (const e of Array.from(document.querySelectorAll(`.msg[data-step="${next}"], .msg[data-sent="${next}"]`))) e.classList.add('hl');
    const step = steps[next]!;
    const title = byId('insp-title');
    if (title) title.textContent = next === 0 ? `Initial state (step 0 of ${steps.length - 1})` : `Step ${next} of ${steps.length - 1}`;
    const action = byId('insp-action');
    if (action) {
      action.textContent = '';
      wrapInto(action, step.label);
      action.classList.toggle('threw', step.threw === true);
    }
    const vbox = byId('insp-violation');
    if (vbox) {
      const here = violation !== null && violation.step === next;
      vbox.hidden = !here;
      if (here) {
        vbox.textContent = '';
        vbox.appendChild(wrapInto(el('div', 'v-head'), `✗ ${violation.headline}`));
        if (violation.doc) vbox.appendChild(wrapInto(el('div', 'v-doc'), `The check: ${violation.doc}.`));
        vbox.appendChild(el('div', 'v-where', step.threw ? 'The action threw an exception: the state shown is the one it was taken from.' : 'This is the step that breaks it: the state below is the bad state.'));
      }
    }
    const changes = byId('insp-changes');
    if (changes) {
      changes.textContent = '';
      if (next === 0) changes.appendChild(el('li', 'muted', 'the initial state'));
      else if (step.changes.length === 0) changes.appendChild(el('li', 'muted', step.threw ? 'the action threw before changing anything' : 'no change (the step stutters)'));
      for (const c of step.changes) changes.appendChild(wrapInto(el('li', 'change'), c));
    }
    const state = byId('insp-state');
    if (state) {
      state.textContent = '';
      const prev = next > 0 ? steps[next - 1]!.state : undefined;
      state.appendChild(tree(step.state, prev, next > 0, 0));
    }
    const prevBtn = byId('prev-step') as HTMLButtonElement | null;
    const nextBtn = byId('next-step') as HTMLButtonElement | null;
    if (prevBtn) prevBtn.disabled = next === 0;
    if (nextBtn) nextBtn.disabled = next === steps.length - 1;
    if (scroll) {
      const row = document.querySelector(`.step-row[data-step="${next}"]`);
      if (row) reveal(row, scroll === 'page');
    }
    try {
      history.replaceState(null, '', `#step=${next}`);
    } catch {
      // file:// pages may refuse history updates in some browsers; the selection still works.
    }
  };

  document.addEventListener('click', (ev) => {
    const target = ev.target as Element | null;
    const hit = target?.closest('[data-step]');
    if (hit && hit.closest('.trace-view')) {
      const k = Number(hit.getAttribute('data-step'));
      if (Number.isInteger(k)) select(k, false);
    }
  });
  byId('prev-step')?.addEventListener('click', () => select(current - 1, 'page'));
  byId('next-step')?.addEventListener('click', () => select(current + 1, 'page'));
  byId('goto-violation')?.addEventListener('click', () => {
    if (violation) select(violation.step, 'page');
  });
  document.addEventListener('keydown', (ev) => {
    const t = ev.target as HTMLElement | null;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    let to: number | undefined;
    switch (ev.key) {
      case 'ArrowDown':
      case 'ArrowRight':
      case 'j':
      case 'n':
        to = current + 1;
        break;
      case 'ArrowUp':
      case 'ArrowLeft':
      case 'k':
      case 'p':
        to = current - 1;
        break;
      case 'Home':
        to = 0;
        break;
      case 'End':
        to = steps.length - 1;
        break;
      case 'v':
        if (violation) to = violation.step;
        break;
      default:
        return;
    }
    if (to === undefined) return;
    ev.preventDefault();
    select(to, 'page');
  });

  const fromHash = /^#step=(\d+)$/.exec(location.hash);
  // On load only the trace box scrolls to the step: the page keeps its header in view.
  select(fromHash ? Number(fromHash[1]) : violation ? violation.step : 0, fromHash !== null || violation !== null ? 'box' : false);
  document.body.classList.add('ready');
}
