/**
 * The grid page's layout rule: how many columns make the tiles largest.
 * Plain arithmetic, no page around it, so the tests call it directly.
 *
 * @module
 */

/** The room the tiles share, in CSS pixels. */
export interface GridRoom {
  /** The width the tiles share. */
  width: number;
  /** The height the tiles share. */
  height: number;
  /** The space between two tiles. */
  gap: number;
}

/**
 * The number of columns (1 to `count`) that shows `count` pictures of
 * `aspect` (width / height) largest in `room`, every tile in sight: each
 * tile gets an equal cell, and the picture is as large as fits in its cell.
 * Of two counts that show them the same size, the fewer columns win.
 */
export function gridColumns(count: number, room: GridRoom, aspect = 16 / 9): number {
  let best = 1;
  let bestWidth = -1;
  for (let columns = 1; columns <= Math.max(1, count); columns++) {
    const rows = Math.ceil(Math.max(1, count) / columns);
    const cellWidth = (room.width - (columns - 1) * room.gap) / columns;
    const cellHeight = (room.height - (rows - 1) * room.gap) / rows;
    const pictureWidth = Math.min(cellWidth, cellHeight * aspect);
    if (pictureWidth > bestWidth + 1e-9) {
      best = columns;
      bestWidth = pictureWidth;
    }
  }
  return best;
}
