// No gradlab-specific settings: the package must work with Vite's defaults.
export default {};
