// The mailbox tree: LIST for the names and special-use attributes (RFC 6154), STATUS for the
// counts; INBOX first, then the special-use mailboxes, then the rest by name.

// Line icons drawn inline (no icon font or emoji font needed): name -> SVG path data.
const ICONS = {
  inbox: 'M3 13h5l1 3h6l1-3h5M5 5h14l2 8v6H3v-6z',
  sent: 'M21 3 10 14M21 3l-7 18-4-7-7-4z',
  drafts: 'M15 4l5 5L9 20H4v-5z',
  trash: 'M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6',
  junk: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M5.6 5.6l12.8 12.8',
  archive: 'M3 4h18v4H3zM5 8v12h14V8M10 12h4',
  all: 'M4 6h16M4 12h16M4 18h16',
  flagged: 'M12 3l2.7 5.6 6.1.9-4.4 4.3 1 6.1-5.4-2.9-5.4 2.9 1-6.1-4.4-4.3 6.1-.9z',
  folder: 'M3 6h6l2 2h10v11H3z',
};
const USE_ICON = {
  '\\Sent': 'sent',
  '\\Drafts': 'drafts',
  '\\Trash': 'trash',
  '\\Junk': 'junk',
  '\\Archive': 'archive',
  '\\All': 'all',
  '\\Flagged': 'flagged',
};
const ORDER = ['\\Drafts', '\\Sent', '\\Archive', '\\Junk', '\\Trash', '\\All', '\\Flagged'];

const tree = document.getElementById('mailbox-tree');

/** Loads the mailboxes with their counts: `[{ name, delimiter, specialUse, selectable, messages, unseen }]`. */
export async function loadMailboxes(session) {
  const boxes = await session.listMailboxes();
  for (const box of boxes) {
    if (!box.selectable) continue;
    Object.assign(box, await session.status(box.name));
  }
  boxes.sort(byImportance);
  return boxes;
}

/** The mailbox with special use `use` (e.g. `\\Trash`), if any. */
export function specialMailbox(boxes, use) {
  return boxes.find((b) => b.specialUse === use)?.name ?? null;
}

/** Draws the tree; `onOpen(name)` when a mailbox is clicked. */
export function renderMailboxes(boxes, current, onOpen) {
  tree.replaceChildren();
  const nodes = new Map();
  for (const box of boxes) {
    const parts = box.name.split(box.delimiter || '/');
    const parentName = parts.slice(0, -1).join(box.delimiter);
    const parentNode = nodes.get(parentName);
    const parent = parentNode?.children ?? tree;
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.className = 'mailbox';
    button.dataset.mailbox = box.name;
    button.disabled = !box.selectable;
    button.setAttribute('aria-current', String(box.name === current));
    button.append(
      icon(box.name.toUpperCase() === 'INBOX' ? 'inbox' : USE_ICON[box.specialUse] ?? 'folder'),
      span('name', parentNode ? parts.at(-1) : box.name),
    );
    if (box.selectable) {
      button.append(span('unread', box.unseen ? String(box.unseen) : ''), span('total', String(box.messages)));
      button.title = `${box.name}: ${box.messages} messages, ${box.unseen} unread`;
      button.addEventListener('click', () => onOpen(box.name));
    }
    const children = document.createElement('ul');
    li.append(button, children);
    parent.append(li);
    nodes.set(box.name, { children });
  }
}

/** Updates one mailbox's counts in place. */
export function updateCounts(boxes, name, counts) {
  const box = boxes.find((b) => b.name === name);
  if (!box) return;
  Object.assign(box, counts);
  const button = tree.querySelector(`button[data-mailbox="${CSS.escape(name)}"]`);
  if (!button) return;
  button.querySelector('.unread').textContent = box.unseen ? String(box.unseen) : '';
  button.querySelector('.total').textContent = String(box.messages);
  button.title = `${box.name}: ${box.messages} messages, ${box.unseen} unread`;
}

function byImportance(a, b) {
  const rank = (box) => {
    if (box.name.toUpperCase() === 'INBOX') return -1;
    const i = ORDER.indexOf(box.specialUse);
    return i === -1 ? ORDER.length : i;
  };
  return rank(a) - rank(b) || a.name.localeCompare(b.name);
}

function span(className, text) {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = text;
  return el;
}

function icon(name) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.dataset.icon = name;
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}
