/** ECharts, tree-shaken to what the curves view draws. */
import { use } from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, TitleComponent, ToolboxComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([LineChart, GridComponent, TitleComponent, TooltipComponent, ToolboxComponent, DataZoomComponent, CanvasRenderer]);
