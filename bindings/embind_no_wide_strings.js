// A JS library for every engine module's link (CMakeLists.txt: GRADLAB_WASM_LINK_OPTIONS).
// The bindings pass no std::wstring, std::u16string or std::u32string, but Embind's builtin
// registrations still declare those types at start-up, which links its UTF-16 and UTF-32
// converters into every loader. Declaring them as nothing leaves the converters out; a
// binding that took a wide string would fail at start-up with Embind's unbound-type error.
mergeInto(LibraryManager.library, {
  _embind_register_std_wstring__deps: [],
  _embind_register_std_wstring: function (rawType, charSize, name) {},
});
