# compsight how-strong plot: draws how-strong.png and how-strong.svg in the current directory.
# Re-run from the plots directory:  gnuplot how-strong.gp
# Data are aggregated by compsight; every text is a single-quoted literal.
reset
set encoding utf8
set terminal pngcairo size 1280,720 font ',14' noenhanced background '#ffffff'
set output 'how-strong.png'
set linetype 1 lc rgb '#2b6cb0' lw 2 pt 7 ps 1.4
set linetype 2 lc rgb '#dd6b20' lw 2 pt 7 ps 1.4
set linetype 3 lc rgb '#2d3748' lw 2 pt 7 ps 1.4
set linetype 4 lc rgb '#c53030' lw 2 pt 7 ps 1.4
set linetype 5 lc rgb '#2f855a' lw 2 pt 7 ps 1.4
set linetype 6 lc rgb '#a0aec0' lw 2 pt 7 ps 1.4
set border 3 lc rgb '#2d3748'
set tics nomirror out
set grid ytics lc rgb '#e2e8f0' lw 1 dt 1
set key top left noenhanced opaque box lc rgb '#e2e8f0'
# row (top = 1st term), odds ratio, the report's interval low, high, linetype (2: a clear effect, 6: no clear effect)
$or << EOD
3.17 1.08 0.99 1.18 6
2.17 1.56 1.31 1.86 2
1 1.07 1.01 1.13 2
EOD
# the same, across reps (open circles), below the same-rep estimate
$across << EOD
2.83 1.19 1.11 1.27 2
1.83 2.02 1.71 2.39 2
EOD
set title ' ' font ',13'
set label 200 'Same rep: deals that carried the rep across a tier floor went with 1.56 times the odds of a risky promise' at screen 0.5, screen 0.955 center font ',13' noenhanced
set xlabel 'odds ratio of a risky promise, 97% interval (log scale; 1 = no association, right of 1 = more likely)' noenhanced
unset ylabel
set logscale x
set xrange [0.333:3.003]
set yrange [0.4:3.6]
set xtics ('0.5' 0.5, '0.67' 0.67, '1' 1, '1.5' 1.5, '2' 2, '3' 3) out nomirror
set ytics ('commission rate, per +1 percentage point' 3, 'deal crosses a tier floor' 2, 'deal size, per doubling' 1) scale 0 noenhanced
set grid noytics xtics
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead back lt 3 lw 1.5 dt 2
set rmargin 24
set label 1 '1.08 (0.99 to 1.18)' at graph 1.02, first 3.17 left noenhanced
set label 41 'across 1.19 (1.11 to 1.27)' at graph 1.02, first 2.83 left font ',11' tc rgb '#718096' noenhanced
set label 2 '1.56 (1.31 to 1.86)' at graph 1.02, first 2.17 left noenhanced
set label 42 'across 2.02 (1.71 to 2.39)' at graph 1.02, first 1.83 left font ',11' tc rgb '#718096' noenhanced
set label 3 '1.07 (1.01 to 1.13)' at graph 1.02, first 1 left noenhanced
set label 99 'Filled: each rep compared with themselves (conditional logistic model, the 240 reps with both kinds of deals), which' at screen 0.01, screen 0.077 left font ',11' tc rgb '#4a5568' noenhanced
set label 98 'gives the verdict; open: across reps (logistic model over 21,093 deals). Rep-clustered intervals, widened because' at screen 0.01, screen 0.051 left font ',11' tc rgb '#4a5568' noenhanced
set label 97 'the report tests 33 effects at once. Orange: clear effect; grey: no clear effect. Associations, not proof of cause.' at screen 0.01, screen 0.025 left font ',11' tc rgb '#4a5568' noenhanced
set bmargin 8
set key at graph 1, graph 1.0 bottom right horizontal noopaque nobox
plot $or using 2:1:3:4:5 with xerrorbars lc variable pt 7 ps 1.8 lw 2.5 notitle, \
     $across using 2:1:3:4:5 with xerrorbars lc variable pt 6 ps 1.5 lw 1.2 notitle, \
     NaN with points lt 3 pt 7 ps 1.5 title 'same rep (the verdict)', \
     NaN with points lt 3 pt 6 ps 1.5 title 'across reps'
set terminal svg size 1280,720 dynamic font ',14' noenhanced background '#ffffff'
set output 'how-strong.svg'
replot
unset output
