// Message content as Discord renders it. discord-markdown-parser (Discord's own rules on simple-markdown) makes the
// syntax tree; this file turns it into DOM nodes. Nothing from a message is ever parsed as HTML: text goes in as
// text nodes, links only with http(s) targets.
import { parse } from 'discord-markdown-parser';
import { h } from './dom.js';

export interface MarkdownContext {
  userName(id: string): string | undefined;
  role(id: string): { name: string; color: number } | undefined;
  channelName(id: string): string | undefined;
  openChannel(id: string): void;
  /** Whether a user mention names the viewer (styled like Discord's own-mention). */
  isMe(id: string): boolean;
}

interface AstNode {
  type: string;
  content?: string | AstNode[];
  [key: string]: unknown;
}

export function hexColor(color: number): string {
  return `#${((Number(color) || 0) & 0xffffff).toString(16).padStart(6, '0')}`;
}

export function safeHref(target: unknown): string | null {
  if (typeof target !== 'string') return null;
  try {
    const url = new URL(target);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function children(node: AstNode, ctx: MarkdownContext): Node[] {
  const c = node.content;
  if (typeof c === 'string') return [document.createTextNode(c)];
  return Array.isArray(c) ? c.flatMap((n) => renderNode(n, ctx)) : [];
}

function renderNode(node: AstNode, ctx: MarkdownContext): Node[] {
  switch (node.type) {
    case 'text':
      return [document.createTextNode(typeof node.content === 'string' ? node.content : '')];
    case 'br':
    case 'newline':
      return [h('br')];
    case 'strong':
      return [h('strong', {}, children(node, ctx))];
    case 'em':
      return [h('em', {}, children(node, ctx))];
    case 'underline':
      return [h('u', {}, children(node, ctx))];
    case 'strikethrough':
      return [h('s', {}, children(node, ctx))];
    case 'inlineCode':
      return [h('code', { class: 'inline' }, String(node.content ?? ''))];
    case 'codeBlock': {
      const lang = typeof node.lang === 'string' && node.lang ? node.lang : undefined;
      return [h('pre', { class: 'codeblock', 'data-lang': lang }, h('code', {}, String(node.content ?? '')))];
    }
    case 'blockQuote':
      return [h('blockquote', {}, children(node, ctx))];
    case 'spoiler': {
      const s = h(
        'span',
        { class: 'spoiler', role: 'button', tabindex: '0', 'aria-label': 'Spoiler, click to reveal' },
        children(node, ctx),
      );
      const reveal = (e: Event) => {
        if (s.classList.contains('revealed')) return;
        e.preventDefault();
        e.stopPropagation();
        s.classList.add('revealed');
        s.removeAttribute('role');
        s.removeAttribute('tabindex');
        s.removeAttribute('aria-label');
      };
      s.addEventListener('click', reveal);
      s.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') reveal(e);
      });
      return [s];
    }
    case 'heading': {
      const level = Math.min(3, Math.max(1, Number(node.level) || 1));
      return [h(`h${level}` as 'h1', { class: 'md-heading' }, children(node, ctx))];
    }
    case 'subtext':
      return [h('small', { class: 'subtext' }, children(node, ctx))];
    case 'url':
    case 'autolink':
    case 'link': {
      const href = safeHref(node.target);
      if (!href) return children(node, ctx);
      // A masked link shows where it goes on hover.
      return [
        h('a', { href, title: href, target: '_blank', rel: 'noopener noreferrer nofollow' }, children(node, ctx)),
      ];
    }
    case 'user': {
      const id = String(node.id);
      const name = ctx.userName(id);
      return [
        h('span', { class: `mention${ctx.isMe(id) ? ' me' : ''}`, 'data-user': id }, `@${name ?? 'unknown-user'}`),
      ];
    }
    case 'role': {
      const role = ctx.role(String(node.id));
      const el = h('span', { class: 'mention role', 'data-role': String(node.id) }, `@${role?.name ?? 'deleted-role'}`);
      if (role?.color) {
        const c = hexColor(role.color);
        el.style.color = c;
        el.style.backgroundColor = `${c}26`;
      }
      return [el];
    }
    case 'channel': {
      const id = String(node.id);
      const name = ctx.channelName(id);
      const el = h('span', { class: 'mention channel', role: 'link', tabindex: '0' }, `#${name ?? 'unknown'}`);
      el.addEventListener('click', () => ctx.openChannel(id));
      return [el];
    }
    case 'everyone':
      return [h('span', { class: 'mention' }, '@everyone')];
    case 'here':
      return [h('span', { class: 'mention' }, '@here')];
    case 'emoji': {
      const id = String(node.id);
      if (!/^\d+$/.test(id)) return [document.createTextNode(`:${String(node.name)}:`)];
      return [
        h('img', {
          class: 'emoji',
          src: `/cdn/emojis/${id}.${node.animated ? 'gif' : 'png'}`,
          alt: `:${String(node.name)}:`,
          title: `:${String(node.name)}:`,
        }),
      ];
    }
    case 'timestamp': {
      const seconds = Number(node.timestamp);
      const date = new Date(seconds * 1000);
      const text = Number.isFinite(seconds) ? date.toLocaleString() : String(node.timestamp);
      return [
        h('time', { class: 'timestamp', datetime: Number.isFinite(seconds) ? date.toISOString() : undefined }, text),
      ];
    }
    case 'twemoji':
      return [document.createTextNode(String(node.name ?? ''))];
    default:
      return children(node, ctx);
  }
}

/** The DOM nodes of a message's content. */
export function renderMarkdown(content: string, ctx: MarkdownContext): Node[] {
  let ast: AstNode[];
  try {
    // 'extended' adds masked links ([text](url)), which Discord renders in users' messages too.
    ast = parse(content, 'extended') as unknown as AstNode[];
  } catch {
    return [document.createTextNode(content)];
  }
  return ast.flatMap((n) => renderNode(n, ctx));
}
