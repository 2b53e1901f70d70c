# compsight whatif plot: draws whatif.png and whatif.svg in the current directory.
# Re-run from the plots directory:  gnuplot whatif.gp
# Data are aggregated by compsight; every text is a single-quoted literal.
reset
set encoding utf8
set terminal pngcairo size 1280,720 font ',14' noenhanced background '#ffffff'
set output 'whatif.png'
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
# row (top = current plan), value, 95% interval low, high, linetype (1: current, 5: the interval excludes it, 6: it does not)
$v << EOD
4 241.5 241.5 241.5 1
3 212.4 198 226.1 5
2 220.9 205.3 236 6
1 238 238 238 6
EOD
set title 'Halving the accelerator step cuts risky deals the most' font ',18' noenhanced
set xlabel 'expected deals with a risky promise in the period' noenhanced
unset ylabel
set xrange [194.52:244.98]
set yrange [0.4:4.6]
set ytics ('current plan' 4, 'halve each accelerator step' 3, 'linear ramp instead of steps' 2, 'cap at the top floor (Rep''s `plan`)' 1) scale 0 noenhanced
set xtics out nomirror
set grid noytics xtics
set arrow 1 from first 241.5, graph 0 to first 241.5, graph 1 nohead back lt 1 lw 1.5 dt 2
set rmargin 26
set label 1 '242' at graph 1.02, first 4 left noenhanced
set label 2 '212 (198 to 226)' at graph 1.02, first 3 left noenhanced
set label 3 '221 (205 to 236)' at graph 1.02, first 2 left noenhanced
set label 4 '238' at graph 1.02, first 1 left noenhanced
set label 99 'Points: the value under each plan, with its 95% interval; dashed: the current plan. Green: the interval excludes the current value; grey: no clear change.' at screen 0.01, screen 0.025 left font ',11' tc rgb '#4a5568' noenhanced
set bmargin 5
unset key
plot $v using 2:1:3:4:5 with xerrorbars lc variable pt 7 ps 1.8 lw 2.5 notitle
set terminal svg size 1280,720 dynamic font ',14' noenhanced background '#ffffff'
set output 'whatif.svg'
replot
unset output
