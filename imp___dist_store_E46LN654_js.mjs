await import('/work/main/dist/store-E46LN654.js');
