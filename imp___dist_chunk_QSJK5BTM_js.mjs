await import('/work/main/dist/chunk-QSJK5BTM.js');
