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
5 1.06 0.99 1.13 6
4 2.4 1.7 3.4 2
3 1.7 1.1 2.6 2
2 1.01 0.9 1.13 6
1 0.6 0.36 0.99 2
EOD
set title ' ' font ',15'
set label 200 'Deals that carried the rep across a tier floor went with 2.40 times the odds of a risky promise' at screen 0.5, screen 0.955 center font ',15' noenhanced
set xlabel 'odds ratio of a risky promise, 99.6% interval (log scale; 1 = no association, right of 1 = more likely)' noenhanced
unset ylabel
set logscale x
set xrange [0.24975:4.004]
set yrange [0.4:5.6]
set xtics ('0.33' 0.33, '0.67' 0.67, '1' 1, '1.5' 1.5, '3' 3) out nomirror
set ytics ('commission rate, per +1 percentage point' 5, 'deal crosses a tier floor' 4, 'closed in the last 14 days of the period' 3, 'deal size, per doubling' 2, 'renewal deal (against new)' 1) scale 0 noenhanced
set grid noytics xtics
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead back lt 3 lw 1.5 dt 2
set rmargin 24
set label 1 '1.06 (0.99 to 1.13)' at graph 1.02, first 5 left noenhanced
set label 2 '2.40 (1.70 to 3.40)' at graph 1.02, first 4 left noenhanced
set label 3 '1.70 (1.10 to 2.60)' at graph 1.02, first 3 left noenhanced
set label 4 '1.01 (0.90 to 1.13)' at graph 1.02, first 2 left noenhanced
set label 5 '0.60 (0.36 to 0.99)' at graph 1.02, first 1 left noenhanced
set label 99 'Logistic model over 1,234 deals, rep-clustered intervals, widened because the report tests 14 effects at once. Orange: clear' at screen 0.01, screen 0.051 left font ',11' tc rgb '#4a5568' noenhanced
set label 98 'effect; grey: no clear effect. Associations, not proof of cause. Not shown (no variation or no interval): SPIFF on the product.' at screen 0.01, screen 0.025 left font ',11' tc rgb '#4a5568' noenhanced
set bmargin 7
unset key
plot $or using 2:1:3:4:5 with xerrorbars lc variable pt 7 ps 1.8 lw 2.5 notitle
set terminal svg size 1280,720 dynamic font ',14' noenhanced background '#ffffff'
set output 'how-strong.svg'
replot
unset output
