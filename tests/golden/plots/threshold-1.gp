# compsight threshold plot: draws threshold-1.png and threshold-1.svg in the current directory.
# Re-run from the plots directory:  gnuplot threshold-1.gp
# Data are aggregated by compsight; every text is a single-quoted literal.
reset
set encoding utf8
set terminal pngcairo size 1280,720 font ',14' noenhanced background '#ffffff'
set output 'threshold-1.png'
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
# bin centre (% of quota), rep-periods in the bin, counterfactual (polynomial fit)
$bins << EOD
61 19 20
63 20.8 19.8
65 20.6 19.6
67 18.4 19.4
69 20.2 19.2
71 20 19
73 17.8 18.8
75 19.6 18.6
77 19.4 18.4
79 17.2 18.2
81 19 18
83 18.8 17.8
85 16.6 17.6
87 18.4 17.4
89 18.2 17.2
91 16 17
93 17.8 16.8
95 17.6 16.6
97 15.4 16.4
99 17.2 16.2
101 40 16
103 30 15.8
105 16.6 15.6
107 16.4 15.4
109 14.2 15.2
111 16 15
113 15.8 14.8
115 13.6 14.6
117 15.4 14.4
119 15.2 14.2
121 13 14
123 14.8 13.8
125 14.6 13.6
127 12.4 13.4
129 14.2 13.2
131 14 13
133 11.8 12.8
135 13.6 12.6
137 13.4 12.4
139 11.2 12.2
EOD
set title 'Plan Mid''Market `touch /tmp/compsight_pwned`set output ''/tmp/compsight_pwned'': final attainment around the 100% floor' font ',13' noenhanced
set xlabel 'final attainment of a rep in a quarter (% of quota, bins of 2 points)' noenhanced
set ylabel 'rep-quarters' noenhanced
set xrange [60:140]
set yrange [0:60]
set xtics 10 out nomirror
set format x '%g%%'
set style fill solid 0.85 noborder
set boxwidth 1.6
set object 1 rectangle from first 94, graph 0 to first 106, graph 1 behind fc rgb '#edf2f7' fs solid 1.0 noborder
set arrow 1 from first 100, graph 0 to first 100, graph 1 nohead front lt 4 lw 2.5 dt 2
set label 1 '100% floor' at first 100, graph 0.97 left offset 0.5,0 tc rgb '#c53030' noenhanced
set label 2 'excess above the floor: 32 (98% interval 14 to 49)' at graph 0.99, graph 0.89 right front font ',13' noenhanced
set label 3 'relative to the smooth pattern: 1.9 ± 0.4' at graph 0.99, graph 0.83 right front font ',13' noenhanced
set label 4 'placebo at 75% (no floor): -1.2 ± 4.0' at graph 0.99, graph 0.77 right front font ',13' tc rgb '#4a5568' noenhanced
set label 99 '640 rep-quarters within 40 points of the floor. Shaded: left out of the fit. ±: bootstrap standard error. A placebo, away from any floor, should show about 0.' at screen 0.01, screen 0.025 left font ',11' tc rgb '#4a5568' noenhanced
set bmargin 5
set key top left
plot $bins using 1:2 with boxes lt 1 title 'rep-quarters in the bin', \
     $bins using 1:3 with lines lt 3 lw 3 title 'smooth counterfactual', \
     NaN with boxes fc rgb '#edf2f7' title 'window left out of the fit'
set terminal svg size 1280,720 dynamic font ',14' noenhanced background '#ffffff'
set output 'threshold-1.svg'
replot
unset output
