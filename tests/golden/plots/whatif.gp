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
# row (top = current plan), value, linetype, where its label goes
$v << EOD
4 241.5 1 241.5
3 212.4 5 241.5
2 220.9 5 241.5
1 238 5 241.5
EOD
# row, value, 95% interval low, high (the alternatives that have one)
$ci << EOD
3 212.4 198 226.1
2 220.9 205.3 236
EOD
set title 'Halving the accelerator step cuts risky deals the most' font ',18' noenhanced
set xlabel 'expected deals with a risky promise in the period' noenhanced
unset ylabel
set xrange [0:300]
set yrange [0.4:4.6]
set ytics ('current plan' 4, 'halve each accelerator step' 3, 'linear ramp instead of steps' 2, 'cap at the top floor (Rep''s `plan`)' 1) scale 0 noenhanced
set grid noytics xtics
set style fill solid 0.8 noborder
set arrow 1 from first 241.5, graph 0 to first 241.5, graph 1 nohead front lt 3 lw 1.5 dt 2
set label 99 'Bars: the value under each plan; lines: 95% intervals; dashed: the current plan.' at screen 0.01, screen 0.025 left font ',11' tc rgb '#4a5568' noenhanced
set bmargin 5
unset key
plot $v using (0):1:(0):2:($1-0.32):($1+0.32):3 with boxxyerror lc variable notitle, \
     $ci using 2:1:3:4 with xerrorbars lt 3 pt -1 lw 2 notitle, \
     $v using 4:1:(sprintf('%.4g', $2)) with labels left offset 1,0 font ',12' notitle
set terminal svg size 1280,720 dynamic font ',14' noenhanced background '#ffffff'
set output 'whatif.svg'
replot
unset output
