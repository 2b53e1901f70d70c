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
# row (top = 1st term), odds ratio, 95% interval low, high, linetype (2: the interval excludes 1, 6: it does not)
$or << EOD
5 1.06 1.02 1.1 2
4 2.4 1.9 3 2
3 1.7 1.2 2.41 2
2 1.01 0.93 1.1 6
1 0.6 0.41 0.88 2
EOD
set title 'How strongly each plan element goes with a risky promise' font ',18' noenhanced
set xlabel 'odds ratio of a risky promise, 95% interval (log scale; 1 = no association, right of 1 = more likely)' noenhanced
unset ylabel
set logscale x
set xrange [0.24975:4.004]
set yrange [0.4:5.6]
set xtics ('0.33' 0.33, '0.67' 0.67, '1' 1, '1.5' 1.5, '3' 3) out nomirror
set ytics ('commission rate, per +1 percentage point' 5, 'deal crosses a tier floor' 4, 'closed in the last 14 days of the period' 3, 'deal size, per doubling' 2, 'renewal deal (against new)' 1) scale 0 noenhanced
set grid noytics xtics
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead back lt 3 lw 1.5 dt 2
set rmargin 24
set label 1 '1.06 (1.02 to 1.10)' at graph 1.02, first 5 left noenhanced
set label 2 '2.40 (1.90 to 3.00)' at graph 1.02, first 4 left noenhanced
set label 3 '1.70 (1.20 to 2.41)' at graph 1.02, first 3 left noenhanced
set label 4 '1.01 (0.93 to 1.10)' at graph 1.02, first 2 left noenhanced
set label 5 '0.60 (0.41 to 0.88)' at graph 1.02, first 1 left noenhanced
set label 99 'Logistic model over 1,234 deals, intervals from rep-clustered standard errors. Associations, not proof of cause. Not shown (no variation or no interval): spiff.' at screen 0.01, screen 0.025 left font ',11' tc rgb '#4a5568' noenhanced
set bmargin 6
set key at graph 1, graph 1.0 bottom right horizontal noopaque nobox
plot $or using 2:1:3:4:5 with xerrorbars lc variable pt 7 ps 1.8 lw 2.5 notitle, \
     NaN with points lt 2 pt 7 ps 1.8 title 'interval excludes 1', \
     NaN with points lt 6 pt 7 ps 1.8 title 'no clear effect'
set terminal svg size 1280,720 dynamic font ',14' noenhanced background '#ffffff'
set output 'how-strong.svg'
replot
unset output
