await import('/work/main/dist/numbers-list-2EUERXHJ.js');
