/**
 * The receiver's HTTP preview: its small server and guard, the pages, the MJPEG stream and
 * snapshots, the station's cameras and grid stream, the no-signal frames, and the metrics.
 *
 * The pages' sources are `preview_page.html`, `preview_page.css` and the browser script
 * `preview_page_script.ts` with the `preview_page_*.ts` modules it imports, and for the station's
 * grid `grid_page.html`, `grid_page.css` and `grid_page_script.ts` with its `grid_page_*.ts`
 * modules, both with the shared `page_*.ts` (not exported: they run in the browser, not here);
 * `deno task build-page` writes them into `_preview_page_template.ts` and `_grid_page_template.ts`,
 * which the tools embed.
 *
 * May import: `cli`, `hub`, `image`, `metrics`, `receive`, `util`. `tests/layers_test.ts` holds it
 * to that.
 *
 * @module
 */
export * from "./camera_name.ts";
export * from "./favicon.ts";
export * from "./grid_page.ts";
export * from "./http_request_head.ts";
export * from "./http_server.ts";
export * from "./http_server_options.ts";
export * from "./http_token.ts";
export * from "./mjpeg.ts";
export * from "./no_signal_frame.ts";
export * from "./no_signal_renderer.ts";
export * from "./no_signal_text.ts";
export * from "./open_browser.ts";
export * from "./preview_guard.ts";
export * from "./preview_handler.ts";
export * from "./preview_page.ts";
export * from "./prometheus_metrics.ts";
export * from "./screen_latency.ts";
export * from "./signal_feed.ts";
export * from "./station_cameras.ts";
export * from "./station_handler.ts";
