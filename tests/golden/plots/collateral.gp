# compsight collateral plot: draws collateral.png and collateral.svg in the current directory.
# Re-run from the plots directory:  gnuplot collateral.gp
# Data are aggregated by compsight; every text is a single-quoted literal.
reset
set encoding utf8
set terminal pngcairo size 1280,720 font ',14' noenhanced background '#ffffff'
set output 'collateral.png'
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
# slot, rate in %, 95% Wilson interval low, high, assets, the same for reading
$rates << EOD
0 5 1.38207 16.5039 40 40
2 30 16.6647 47.8758 30 30
4 50 25.3782 74.6218 12 12
6 60 23.0724 88.2379 5 5
EOD
# slot, assets of the slots too thin for a point
$few << EOD
1 0
3 2
5 0
EOD
set title 'Misstated collateral by marketing target pressure when it was published' font ',18' noenhanced
set xlabel 'marketing target not yet reached in the quarter (target gap)' noenhanced
set ylabel 'assets with a misstated claim' noenhanced
set xrange [-0.6:6.6]
set yrange [0:100]
set format y '%.0f%%'
set xtics ('below 0 (ahead)' 0, '0-10%%' 1, '10-20%%' 2, '20-30%%' 3, '30-40%%' 4, '40-50%%' 5, '50%% or more' 6) scale 0 noenhanced
set arrow 1 from graph 0, first 23.5955 to graph 1, first 23.5955 nohead back lt 3 lw 1.5 dt 2
set label 1 'all assets: 24%' at graph 0.99, first 23.5955 right offset 0,0.7 tc rgb '#2d3748' noenhanced
set label 99 'Points: share of assets claiming what the roadmap does not support; bars: 95% Wilson intervals; n: assets in the category (fewer than 3: no point).' at screen 0.01, screen 0.025 left font ',11' tc rgb '#4a5568' noenhanced
set bmargin 5
unset key
set style textbox opaque noborder margins 1,0.5
plot $rates using 1:2:3:4 with yerrorbars lt 2 pt 7 ps 1.8 lw 2.5 notitle, \
     $rates using 1:4:(sprintf('n = %s', strcol(6))) with labels offset 0,0.9 boxed tc rgb '#4a5568' font ',12' notitle, \
     $few using 1:(0):(sprintf('n = %d', $2)) with labels offset 0,0.9 boxed tc rgb '#718096' font ',12' notitle
set terminal svg size 1280,720 dynamic font ',14' noenhanced background '#ffffff'
set output 'collateral.svg'
replot
unset output
