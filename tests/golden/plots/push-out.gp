# compsight push-out plot: draws push-out.png and push-out.svg in the current directory.
# Re-run from the plots directory:  gnuplot push-out.gp
# Data are aggregated by compsight; every text is a single-quoted literal.
reset
set encoding utf8
set terminal pngcairo size 1280,720 font ',14' noenhanced background '#ffffff'
set output 'push-out.png'
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
# group (1: the others, 2: nothing more to earn), next quarter's first-14-day share of bookings (%), 95% interval low, high, linetype (2: a clear difference, 3: the others, 6: no clear difference)
$s << EOD
1 13.1 12.3 13.9 3
2 26.2 21 31.4 2
EOD
set title 'After a quarter with nothing more to earn, reps close more of the next quarter''s bookings in its first two weeks (26% against 13%)' font ',12' noenhanced
set ylabel 'next quarter''s bookings in its first 14 days (%)' noenhanced
unset xlabel
set xrange [0.4:2.6]
set yrange [0:40]
set xtics ('the others (1,143 rep-quarters)' 1, 'nothing more to earn (36 rep-quarters)' 2) scale 0 noenhanced
set grid ytics noxtics
set arrow 1 from graph 0, first 15.3846 to graph 1, first 15.3846 nohead back lt 3 lw 1.5 dt 2
set label 1 'even pace: 15%' at graph 0.99, first 15.3846 right offset 0, 0.6 tc rgb '#2d3748' noenhanced
set label 2 '13.1%' at first 1.08, first 13.1 left noenhanced
set label 3 '26.2%' at first 2.08, first 26.2 left noenhanced
set label 99 'Rep-quarters of quarterly plans followed by a quarter with won deals, 170 reps. Nothing more to earn: the quarter ended in a tier paying less than the plan''s' at screen 0.01, screen 0.051 left font ',11' tc rgb '#4a5568' noenhanced
set label 98 'first (a cap or decelerator). Points: mean share, 95% intervals from rep-clustered errors. Orange: a clear difference (the report''s verdict); grey: none.' at screen 0.01, screen 0.025 left font ',11' tc rgb '#4a5568' noenhanced
set bmargin 7
unset key
plot $s using 1:2:3:4:5 with yerrorbars lc variable pt 7 ps 2 lw 2.5 notitle
set terminal svg size 1280,720 dynamic font ',14' noenhanced background '#ffffff'
set output 'push-out.svg'
replot
unset output
