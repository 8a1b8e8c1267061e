// The widget exactly as npm ships it; the page under test calls new Def.Autocompleter.Search(...).
window.Def = require('autocomplete-lhc');
