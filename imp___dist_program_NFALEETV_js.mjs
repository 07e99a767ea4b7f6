await import('/work/main/dist/program-NFALEETV.js');
