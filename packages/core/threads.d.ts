// `import "@gradtape/core/threads"` registers the threaded core for ready({ threads }) in browsers; it exports nothing.
export {};
