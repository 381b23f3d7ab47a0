// The composer's `/` picker, as in Discord's client: typing `/` lists the commands I may use here (fetched from the
// application-command index when the picker opens), filtered by the name typed; then the command's subcommands, then
// its options (name, type and description, required ones first) and, for the option being typed, the values to
// pick: its choices, True/False, members, channels or roles, or what the application offers (autocomplete: an
// interaction of type 4 per change, answered by APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE). Up/Down move, Tab or
// Enter picks, Escape closes; Enter on a complete command runs it (commandRunner.ts) instead of sending a message.
import { applicationName, commandsOfType, loadCommandIndex } from './commandIndex.js';
import {
  missingOptions,
  nestOptions,
  OPTION_TYPE_NAMES,
  optionValue,
  type ParsedCommand,
  parseCommand,
  remainingOptions,
  type TypedValue,
  valueChoices,
} from './commandInput.js';
import { runCommand } from './commandRunner.js';
import { $, h } from './dom.js';
import { invokeInteraction } from './interactions.js';
import { autosize } from './messages.js';
import { state } from './state.js';
import type { CommandChoice, CommandIndex, CommandOption } from './types.js';

type OptionsStage = Extract<ParsedCommand, { stage: 'options' }>;

interface Item {
  node: HTMLElement;
  apply: () => void;
}

const picker = {
  index: null as CommandIndex | null,
  indexFor: null as string | null,
  items: [] as Item[],
  highlight: 0,
  /** Escape closed it; it stays closed until the text changes. */
  dismissed: false,
  error: '',
  /** The autocomplete asked for (command, option and value), and what the application offered for it. */
  ac: { key: '', choices: null as CommandChoice[] | null, failed: false, timer: 0 },
  /** Choices the application offered, by option name: a picked one is sent by its value. */
  offered: new Map<string, CommandChoice[]>(),
  /** Files chosen for ATTACHMENT options, by option name (the option's text is the file's name). */
  files: new Map<string, File>(),
  /** Where a file being chosen goes: its option and where the option's value starts in the text. */
  fileFor: null as { option: CommandOption; valueStart: number } | null,
};

const input = () => $<HTMLTextAreaElement>('input');
const box = () => $('command-picker');

function setText(text: string): void {
  const el = input();
  el.value = text;
  el.setSelectionRange(text.length, text.length);
  autosize(el);
  update();
}

function hide(): void {
  box().hidden = true;
  picker.items = [];
}

function item(main: (Node | string)[], side: string | null, apply: () => void): Item {
  const node = h(
    'div',
    { class: 'picker-item', role: 'option', 'aria-selected': 'false' },
    h('div', { class: 'picker-main' }, ...main),
    side ? h('span', { class: 'picker-side' }, side) : null,
  );
  node.addEventListener('mousedown', (e) => e.preventDefault());
  node.addEventListener('click', apply);
  return { node, apply };
}

function optionLine(o: CommandOption): (Node | string)[] {
  return [
    h('span', { class: 'option-name' }, o.name),
    h('span', { class: 'option-type' }, OPTION_TYPE_NAMES[o.type] ?? ''),
    o.required ? h('span', { class: 'option-required' }, 'required') : '',
    h('span', { class: 'picker-description' }, o.description),
  ];
}

function markHighlight(items: Item[]): void {
  items.forEach((it, i) => {
    it.node.setAttribute('aria-selected', String(i === picker.highlight));
  });
}

function show(header: (Node | string)[], items: Item[], note?: string): void {
  picker.items = items;
  picker.highlight = Math.min(picker.highlight, Math.max(0, items.length - 1));
  markHighlight(items);
  box().replaceChildren(
    h('div', { class: 'picker-header' }, ...header),
    ...items.map((it) => it.node),
    ...(note ? [h('div', { class: 'picker-note muted' }, note)] : []),
    ...(picker.error ? [h('div', { class: 'picker-error', role: 'alert' }, picker.error)] : []),
  );
  box().hidden = false;
}

function commandLabel(p: OptionsStage | Extract<ParsedCommand, { stage: 'subcommand' }>): string {
  return `/${[p.command.name, ...p.path.map((o) => o.name)].join(' ')}`;
}

/** Typed values as options to send (`focused` marks the one autocomplete asks about); errors for invalid ones. */
function typedOptions(p: OptionsStage, channelId: string, focused?: TypedValue) {
  const out: Record<string, unknown>[] = [];
  const errors: string[] = [];
  const files: File[] = [];
  for (const v of p.values) {
    if (v === focused) {
      out.push({ type: v.option.type, name: v.option.name, value: v.raw, focused: true });
      continue;
    }
    if (!v.raw) continue;
    const file = picker.files.get(v.option.name);
    if (v.option.type === 11 && file?.name === v.raw) {
      // The value names the upload: `files[n]` is `n`.
      out.push({ type: 11, name: v.option.name, value: files.push(file) - 1 });
      continue;
    }
    const converted = optionValue(v.option, v.raw, channelId, picker.offered.get(v.option.name));
    if ('error' in converted) errors.push(converted.error);
    else out.push({ type: v.option.type, name: v.option.name, value: converted.value });
  }
  return { options: nestOptions(p.path, out), errors, files };
}

function requestAutocomplete(p: OptionsStage, current: TypedValue, channelId: string): void {
  const key = `${p.command.id}:${p.path.map((o) => o.name).join(' ')}:${current.option.name}:${current.raw}`;
  if (picker.ac.key === key) return;
  clearTimeout(picker.ac.timer);
  picker.ac = { key, choices: null, failed: false, timer: 0 };
  // Typing fast asks once, for what is typed when it pauses.
  picker.ac.timer = window.setTimeout(() => {
    const { options } = typedOptions(p, channelId, current);
    const data = { version: p.command.version, id: p.command.id, name: p.command.name, type: 1, options };
    invokeInteraction(4, p.command.application_id, channelId, data, {
      autocomplete: (choices) => {
        if (picker.ac.key !== key) return;
        picker.ac.choices = choices.slice(0, 25);
        update();
      },
      failed: () => {
        if (picker.ac.key !== key) return;
        picker.ac.failed = true;
        update();
      },
    });
  }, 150);
}

function renderOptions(p: OptionsStage, channelId: string): void {
  const text = input().value;
  const header = [
    h('span', { class: 'command-name' }, commandLabel(p)),
    h('span', { class: 'picker-description' }, (p.path[p.path.length - 1] ?? p.command).description),
  ];
  const left = remainingOptions(p);
  const byPartial = p.partial ? left.filter((o) => o.name.startsWith(p.partial)) : [];
  const optionItems = (list: CommandOption[]) =>
    list.map((o) =>
      item(optionLine(o), null, () => {
        const base = p.partial ? text.slice(0, text.length - p.partial.length) : text;
        setText(`${base}${/\s$/.test(base) || base === '' ? '' : ' '}${o.name}:`);
      }),
    );
  const current = p.current;
  if (current && !byPartial.length) {
    const o = current.option;
    const valueStart = current.start + o.name.length + 1;
    let choices: CommandChoice[];
    let note: string | undefined;
    if (o.type === 11) {
      const choose = item([h('span', { class: 'choice-name' }, 'Choose a file…')], null, () => {
        picker.fileFor = { option: o, valueStart };
        $<HTMLInputElement>('command-file').click();
      });
      show([...header, h('div', { class: 'picker-option-hint' }, ...optionLine(o))], [choose]);
      return;
    }
    if (o.autocomplete) {
      requestAutocomplete(p, current, channelId);
      choices = picker.ac.choices ?? [];
      if (picker.ac.failed) note = 'Loading options failed';
      else if (!picker.ac.choices) note = 'Loading options…';
      else if (!choices.length) note = 'No options match';
    } else choices = valueChoices(o, current.raw, channelId);
    const items = choices.map((c) =>
      item([h('span', { class: 'choice-name' }, c.name)], null, () => {
        if (o.autocomplete) picker.offered.set(o.name, picker.ac.choices ?? []);
        setText(`${text.slice(0, valueStart)}${c.name} `);
      }),
    );
    show([...header, h('div', { class: 'picker-option-hint' }, ...optionLine(o))], items, note);
    return;
  }
  const list = byPartial.length ? byPartial : left;
  show(
    [...header, list.length ? h('div', { class: 'picker-section' }, 'Options') : ''],
    optionItems(list),
    missingOptions(p).length ? undefined : 'Press Enter to send',
  );
}

/** Redraws the picker for the composer's text. */
function update(): void {
  const text = input().value;
  const channelId = state.channelId;
  if (!text.startsWith('/') || !channelId || picker.dismissed) {
    hide();
    return;
  }
  if (picker.indexFor !== channelId) {
    // Asked afresh whenever the picker opens (commands may have changed) or the channel changed.
    picker.indexFor = channelId;
    picker.index = null;
    show([h('span', { class: 'muted' }, 'Loading commands…')], []);
    loadCommandIndex(channelId, true)
      .then((index) => {
        if (picker.indexFor !== channelId) return;
        picker.index = index;
        update();
      })
      .catch(() => hide());
    return;
  }
  if (!picker.index) return;
  const index = picker.index;
  const parsed = parseCommand(text, index);
  if (!parsed) {
    hide();
    return;
  }
  if (parsed.stage === 'command') {
    const all = commandsOfType(index, 1);
    const starts = all.filter((c) => c.name.startsWith(parsed.typed));
    const within = all.filter((c) => !c.name.startsWith(parsed.typed) && c.name.includes(parsed.typed));
    const items = [...starts, ...within]
      .slice(0, 25)
      .map((c) =>
        item(
          [
            h('span', { class: 'command-name' }, `/${c.name}`),
            h('span', { class: 'picker-description' }, c.description),
          ],
          applicationName(index, c.application_id),
          () => setText(`/${c.name} `),
        ),
      );
    if (!items.length) {
      hide();
      return;
    }
    show(
      [h('span', { class: 'picker-section' }, parsed.typed ? `Commands matching /${parsed.typed}` : 'Commands')],
      items,
    );
    return;
  }
  if (parsed.stage === 'subcommand') {
    const base = text.slice(0, text.length - parsed.typed.length);
    const items = parsed.choices
      .filter((o) => o.name.startsWith(parsed.typed))
      .map((o) =>
        item(
          [
            h('span', { class: 'command-name' }, `${commandLabel(parsed)} ${o.name}`),
            h('span', { class: 'picker-description' }, o.description),
          ],
          null,
          () => setText(`${base}${o.name} `),
        ),
      );
    if (!items.length) {
      hide();
      return;
    }
    show([h('span', { class: 'picker-section' }, 'Subcommands')], items);
    return;
  }
  renderOptions(parsed, channelId);
}

/** Runs the typed command, or says what is missing or wrong. */
function submit(p: OptionsStage, channelId: string): void {
  const missing = missingOptions(p);
  const { options, errors, files } = typedOptions(p, channelId);
  const problem = missing.length ? `Missing ${missing.map((o) => o.name).join(', ')}` : errors[0];
  if (problem) {
    picker.error = problem;
    update();
    return;
  }
  picker.error = '';
  picker.offered.clear();
  picker.files.clear();
  picker.ac.key = '';
  const index = picker.index!;
  setText('');
  runCommand(index, p.command, channelId, options, undefined, files);
}

function onKeydown(e: KeyboardEvent): void {
  if (box().hidden || e.isComposing) return;
  const { items } = picker;
  const handled = () => {
    e.preventDefault();
    e.stopImmediatePropagation();
  };
  if (e.key === 'Escape') {
    picker.dismissed = true;
    hide();
    handled();
    return;
  }
  if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && items.length) {
    picker.highlight = (picker.highlight + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
    markHighlight(items);
    items[picker.highlight]?.node.scrollIntoView({ block: 'nearest' });
    handled();
    return;
  }
  if (e.key === 'Tab' && items.length) {
    items[picker.highlight]?.apply();
    handled();
    return;
  }
  if (e.key !== 'Enter' || e.shiftKey || !picker.index || !state.channelId) return;
  const parsed = parseCommand(input().value, picker.index);
  if (!parsed) return;
  handled();
  if (parsed.stage !== 'options') {
    items[picker.highlight]?.apply();
    return;
  }
  const current = parsed.current;
  const exact = (c: Item) => c.node.textContent?.toLowerCase() === current?.raw.toLowerCase();
  const pickingOption = parsed.partial && remainingOptions(parsed).some((o) => o.name.startsWith(parsed.partial));
  const needsOption = !current && missingOptions(parsed).length > 0;
  if (items.length && (pickingOption || needsOption || (current && !items.some(exact)))) {
    items[picker.highlight]?.apply();
    return;
  }
  submit(parsed, state.channelId);
}

/** The picker above the composer, following what is typed. */
export function setupCommands(): void {
  const el = input();
  const node = h('div', { id: 'command-picker', class: 'command-picker', role: 'listbox', 'aria-label': 'Commands' });
  node.hidden = true;
  const fileInput = h('input', { id: 'command-file', type: 'file', hidden: '', 'aria-label': 'File for the command' });
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    const target = picker.fileFor;
    fileInput.value = '';
    if (!file || !target) return;
    picker.files.set(target.option.name, file);
    el.focus();
    setText(`${el.value.slice(0, target.valueStart)}${file.name} `);
  });
  $('composer').prepend(node, fileInput);
  el.addEventListener('input', () => {
    // A `/` typed into an empty box opens the picker: the index is fetched again.
    if (el.value === '/') picker.indexFor = null;
    picker.dismissed = false;
    picker.error = '';
    picker.highlight = 0;
    update();
  });
  // Before the composer's own keys (Enter sends a message, Up edits the last one).
  el.addEventListener('keydown', onKeydown);
  el.addEventListener('blur', () => {
    if (!input().value.startsWith('/')) hide();
  });
}
